# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mentor–apprentice programmes (新型导师带徒, 济钢): mentor pool, apprentices, agreements,
points, three-part assessment and reward linkage."""
