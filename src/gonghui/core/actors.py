# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who acts: every write names its actor; the system acts as ``SYSTEM``, never ``None``.

``SYSTEM`` is what scheduled jobs, background tasks and the demo builder pass as
``actor``. It has no account and no person; its principal (built by orgs' provider) covers
everything, and audit rows name it 系统.
"""


class SystemActor:
    """The platform itself (a scheduled job, a background task, a data migration)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    is_system = True
    pk = None
    person_id = None

    def __str__(self) -> str:
        return "系统"

    def __repr__(self) -> str:
        return "SYSTEM"

    def audit_label(self) -> str:
        return "系统"

    def has_perm(self, perm, obj=None) -> bool:
        return True


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return actor is SYSTEM


def require_actor(actor) -> None:
    """Domain functions call this: ``None`` is not an actor (pass ``SYSTEM``)."""
    if actor is None:
        raise TypeError("actor is required: pass the acting user, token or SYSTEM")
