# SPDX-License-Identifier: AGPL-3.0-or-later
from .user import LoginCode, LoginThrottle, User

__all__ = ["LoginCode", "LoginThrottle", "User"]
