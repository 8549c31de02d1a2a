# SPDX-License-Identifier: AGPL-3.0-or-later
class DomainError(Exception):
    """A refused operation, with a message for the user (in Chinese)."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class PermissionDeniedError(DomainError):
    def __init__(self, message: str = "无权执行此操作"):
        super().__init__(message, code="forbidden")
