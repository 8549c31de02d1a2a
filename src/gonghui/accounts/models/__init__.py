from .user import LoginCode, User

__all__ = ["LoginCode", "User"]
