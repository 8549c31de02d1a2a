# SPDX-License-Identifier: AGPL-3.0-or-later
"""Competitions (竞赛): online sports meets and arts contests."""
