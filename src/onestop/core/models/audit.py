"""The append-only audit log. Write through ``onestop.core.audit.audit_log`` only."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditImmutableError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditImmutableError("audit events are append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AuditImmutableError("audit events are append-only; use audit_purge_expired")

    def within_unit_paths(self, paths: list[str]) -> AuditEventQuerySet:
        query = models.Q()
        for path in paths:
            query |= models.Q(unit_path__startswith=path)
        return self.filter(query)


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人标识"), max_length=150, blank=True)
    # The unit is kept as id + materialised path (core imports no domain app), so that audit
    # searches can be scoped to an officer's unit subtree.
    unit_id = models.BigIntegerField(_("单位"), null=True, blank=True, db_index=True)
    unit_path = models.CharField(_("单位路径"), max_length=255, blank=True, db_index=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    summary = models.JSONField(_("变更摘要"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"])]
        permissions = [("search_auditevent", _("可检索审计日志"))]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AuditImmutableError("audit events are append-only")
