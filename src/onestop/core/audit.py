"""Writing audit events. Services call ``audit_log`` inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from onestop.core import context
from onestop.core.models import AuditEvent


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system" if actor is None else "anonymous"}
    unit = getattr(actor, "unit", None)
    return {
        "actor": actor,
        "actor_label": actor.get_username()[:150],
        "unit_id": getattr(unit, "pk", None),
        "unit_path": getattr(unit, "path", "") or "",
    }


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    summary: dict[str, Any] | None = None,
    purpose: str = "",
    unit: Any = None,
) -> AuditEvent:
    """Append one audit event. ``unit`` overrides the actor's unit (e.g. the object's unit)."""
    ctx = context.current()
    fields = _actor_fields(actor)
    if unit is not None:
        fields["unit_id"] = unit.pk
        fields["unit_path"] = getattr(unit, "path", "") or ""
    if obj is not None:
        fields["object_type"] = obj._meta.label_lower
        fields["object_id"] = str(obj.pk)
        fields["object_repr"] = str(obj)[:200]
    return AuditEvent.objects.create(
        action=action,
        summary=summary or {},
        purpose=purpose[:200],
        ip=ctx.ip,
        request_id=ctx.request_id,
        **fields,
    )


def change_summary(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{"before": {...}, "after": {...}}`` holding only the keys whose values changed.

    Pass summaries, never personal data in clear: masked values or field names only.
    """
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {
        "before": {k: before.get(k) for k in keys},
        "after": {k: after.get(k) for k in keys},
    }
