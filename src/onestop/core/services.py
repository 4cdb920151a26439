"""Writes of the core kernel: revealing personal data, purging expired audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.audit import audit_log
from onestop.core.fields import EncryptedTextField
from onestop.core.models import AuditEvent
from onestop.core.models.audit import audit_purge_window

#: The Cybersecurity Law (art. 21) requires network logs to be kept for at least six months.
AUDIT_RETENTION_MIN_DAYS = 183


@transaction.atomic
def pii_reveal(*, actor: Any, obj: models.Model, field: str, purpose: str) -> str:
    """Return the plaintext of an encrypted field, writing an audit event (never the value).

    The caller checks that ``actor`` may see ``obj``; this function insists on a stated purpose.
    """
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError(
            {"purpose": ValidationError(_("查看完整个人信息须填写事由。"), code="purpose_required")}
        )
    try:
        model_field = obj._meta.get_field(field)
    except FieldDoesNotExist as exc:
        raise ValueError(f"{obj._meta.label} has no field {field!r}") from exc
    if not isinstance(model_field, EncryptedTextField):
        raise ValueError(f"{obj._meta.label}.{field} is not personal data (EncryptedTextField)")
    value = getattr(obj, model_field.attname) or ""
    audit_log(
        actor=actor,
        action="pii.reveal",
        obj=obj,
        summary={"field": field, "verbose_name": str(model_field.verbose_name)},
        purpose=purpose,
    )
    return str(value)


def audit_retention_days() -> int:
    configured = getattr(settings, "AUDIT_RETENTION_DAYS", 365)
    return max(int(configured), AUDIT_RETENTION_MIN_DAYS)


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    cutoff: datetime
    retention_days: int


def audit_purge_expired(*, actor: Any = None, now: datetime | None = None) -> PurgeResult:
    """Delete audit events older than the retention period and log the purge itself.

    Retention is ``settings.AUDIT_RETENTION_DAYS`` (default 365), never below 183 days. Safe to
    run twice: a second run finds nothing more to delete (and still records that it ran).
    """
    days = audit_retention_days()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using):
        connection = connections[using]
        with audit_purge_window(connection):
            expired = AuditEvent._base_manager.using(using).filter(occurred_at__lt=cutoff)
            oldest = expired.order_by("occurred_at").values_list("occurred_at", flat=True).first()
            deleted = models.QuerySet.delete(expired)[0]
        audit_log(
            actor=actor,
            action="audit.purge",
            summary={
                "deleted": deleted,
                "cutoff": cutoff.isoformat(),
                "retention_days": days,
                "oldest_deleted": oldest.isoformat() if oldest else None,
            },
        )
    return PurgeResult(deleted=deleted, cutoff=cutoff, retention_days=days)
