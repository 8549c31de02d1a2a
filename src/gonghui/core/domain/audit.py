# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writing the audit log. Domain functions call ``record`` inside their transaction."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from ..actors import SYSTEM
from ..context import current_ip
from ..masking import mask_text
from ..models import AuditEvent


def _label(actor: Any) -> str:
    if actor is None:  # nobody signed in (e.g. a code asked for an unknown number)
        return "匿名"
    label = getattr(actor, "audit_label", None)
    return str(label() if callable(label) else label or actor)


def _clean(data: dict | None) -> dict | None:
    if data is None:
        return None
    return {k: (mask_text(v) if isinstance(v, str) else v) for k, v in data.items()}


#: Attributes followed (in order) to find the org unit an object belongs to.
_UNIT_LINKS = ("org_unit", "union", "area", "plan", "session", "consultation", "membership")


def _unit_path(obj: Any, depth: int = 0) -> str:
    if obj is None or depth > 3:
        return ""
    method = getattr(obj, "audit_scope_path", None)
    if callable(method):
        return method() or ""
    if getattr(getattr(obj, "_meta", None), "label", "") == "orgs.OrgUnit":
        return obj.path
    for attr in _UNIT_LINKS:
        try:
            linked = getattr(obj, attr, None)
        except ObjectDoesNotExist:  # a missing related row just means no link
            linked = None
        if linked is not None and hasattr(linked, "_meta"):
            path = _unit_path(linked, depth + 1)
            if path:
                return path
    return ""


def scope_path_for(obj: Any, actor: Any) -> str:
    """Where in the tree an event belongs, so auditors see their own subtree's events:
    the object's org unit, else the actor's (first role, else membership)."""
    path = _unit_path(obj)
    if path or actor is None or actor is SYSTEM:
        return path
    from gonghui.core.scope import principal_for

    grants = principal_for(actor).grants
    if grants:
        return grants[0].path
    person = getattr(actor, "person", None) if getattr(actor, "person_id", None) else None
    return _unit_path(person)


def record(
    action: str,
    *,
    actor: Any = None,
    obj: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    result: str = AuditEvent.Result.OK,
    detail: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one audit row. Values that look like ID or mobile numbers are masked.

    ``actor`` is the user, the API token actor or ``SYSTEM`` (labelled 系统) that made the
    change; ``None`` only for a caller nobody knows (labelled 匿名), never the system."""
    user = actor if getattr(actor, "_meta", None) and actor._meta.label == "accounts.User" else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=_label(actor)[:150],
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=mask_text(str(obj))[:200] if obj is not None else "",
        before=_clean(before),
        after=_clean(after),
        ip=ip or current_ip.get(),
        scope_path=scope_path_for(obj, actor)[:255],
        result=result,
        detail=mask_text(detail)[:500],
    )


def record_many(
    action: str,
    *,
    actor: Any,
    objs: list,
    before: dict | None = None,
    after: dict | None = None,
    detail: str = "",
    scope_paths: list[str] | None = None,
) -> int:
    """One audit row per object of a bulk write (the objects saved, so with their ids), in
    one INSERT. Same content as ``record`` for each; ``scope_paths`` (one per object) spares
    looking each object's unit up when the caller has them."""
    user = actor if getattr(actor, "_meta", None) and actor._meta.label == "accounts.User" else None
    label, ip = _label(actor)[:150], current_ip.get()
    rows = [
        AuditEvent(
            actor=user, actor_label=label, action=action, object_type=obj._meta.label,
            object_id=str(obj.pk), object_repr=mask_text(str(obj))[:200],
            before=_clean(before), after=_clean(after), ip=ip,
            scope_path=(path if path is not None else scope_path_for(obj, actor))[:255],
            result=AuditEvent.Result.OK, detail=mask_text(detail)[:500],
        )
        for obj, path in zip(objs, scope_paths or [None] * len(objs), strict=True)
    ]  # fmt: skip
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
