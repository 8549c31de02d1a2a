"""Writing the audit log. Domain functions call ``record`` inside their transaction."""

from typing import Any

from ..context import current_ip
from ..masking import mask_text
from ..models import AuditEvent


def _label(actor: Any) -> str:
    if actor is None:
        return "系统"
    label = getattr(actor, "audit_label", None)
    return str(label() if callable(label) else label or actor)


def _clean(data: dict | None) -> dict | None:
    if data is None:
        return None
    return {k: (mask_text(v) if isinstance(v, str) else v) for k, v in data.items()}


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
    """Append one audit row. Values that look like ID or mobile numbers are masked."""
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
        result=result,
        detail=mask_text(detail)[:500],
    )
