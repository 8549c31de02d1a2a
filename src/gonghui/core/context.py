# SPDX-License-Identifier: AGPL-3.0-or-later
"""Per-request context (client IP) available to domain code without passing it around."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
