import secrets


def new_secret() -> str:
    """A per-session key for the rotating check-in code (see checkin.py)."""
    return secrets.token_hex(32)
