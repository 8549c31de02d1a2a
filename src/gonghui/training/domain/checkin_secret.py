# SPDX-License-Identifier: AGPL-3.0-or-later
import secrets


def new_secret() -> str:
    """A per-session key for the rotating check-in code (see checkin.py)."""
    return secrets.token_hex(32)
