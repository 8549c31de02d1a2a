# SPDX-License-Identifier: AGPL-3.0-or-later
"""Clean-up of the encrypted private store (a periodic job)."""

from gonghui.core import private_files


def purge_expired_uploads(*, now: float | None = None) -> int:
    """Delete expired uploads and error workbooks from the private store; returns the
    number of files deleted. Safe to run at any time and from several processes."""
    return private_files.purge_expired(now)
