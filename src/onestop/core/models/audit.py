"""The append-only audit log. Write through ``onestop.core.audit.audit_log`` only.

Three layers keep events unchanged:

1. the model and its queryset refuse ``save()`` of an existing row, ``update()`` and ``delete()``;
2. the admin is read-only (``onestop.core.admin_audit``);
3. database triggers (installed after every ``migrate`` by :func:`install_audit_guards`) refuse
   UPDATE and DELETE (and TRUNCATE on PostgreSQL) unless the statement runs inside a purge
   window (:func:`audit_purge_window`): on PostgreSQL a transaction-local setting
   ``onestop.audit_purge = 'on'``; on SQLite a row in ``core_audit_purge_flag`` written and
   removed inside the purging transaction. Only ``audit_purge_expired`` and ``manage.py flush``
   open that window.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _


class AuditImmutableError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditImmutableError("audit events are append-only")

    def delete(self) -> NoReturn:
        raise AuditImmutableError("audit events are append-only; use audit_purge_expired")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutableError("audit events are append-only")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutableError("audit events are append-only")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        if kwargs.get("update_conflicts"):
            raise AuditImmutableError("audit events are append-only")
        return super().bulk_create(objs, *args, **kwargs)

    def within_unit_paths(self, paths: list[str]) -> AuditEventQuerySet:
        """Events of units in the subtrees rooted at ``paths``; no paths means no events."""
        paths = [path for path in paths if path]
        if not paths:
            return self.none()
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
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditImmutableError("audit events are append-only")
        # Always INSERT: a new instance given the pk of an existing event must not overwrite it.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutableError("audit events are append-only")


# --- database guards ------------------------------------------------------------------------
_TABLE = "core_auditevent"
_FLAG_TABLE = "core_audit_purge_flag"
_APPEND_ONLY = "audit events are append-only"

_SQLITE_GUARDS = [
    f"CREATE TABLE IF NOT EXISTS {_FLAG_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1))",
    f"""CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON {_TABLE}
        BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON {_TABLE}
        WHEN NOT EXISTS (SELECT 1 FROM {_FLAG_TABLE})
        BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}; use audit_purge_expired'); END""",  # noqa: S608
]

_POSTGRES_GUARDS = [
    f"""CREATE OR REPLACE FUNCTION onestop_audit_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'TRUNCATE')
               AND coalesce(current_setting('onestop.audit_purge', true), '') = 'on' THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '{_APPEND_ONLY} (% refused)', TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END $$""",
    f"""CREATE OR REPLACE TRIGGER core_auditevent_append_only
        BEFORE UPDATE OR DELETE ON {_TABLE}
        FOR EACH ROW EXECUTE FUNCTION onestop_audit_guard()""",
    f"""CREATE OR REPLACE TRIGGER core_auditevent_no_truncate
        BEFORE TRUNCATE ON {_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION onestop_audit_guard()""",
]


def install_audit_guards(connection: BaseDatabaseWrapper) -> None:
    """Create (idempotently) the triggers that refuse UPDATE/DELETE of audit events.

    Run after every ``migrate`` (post_migrate), so that a later migration that rebuilds the
    table (SQLite drops a table's triggers when it remakes it) gets them back.
    """
    if _TABLE not in connection.introspection.table_names():
        return
    if connection.vendor == "sqlite":
        statements = _SQLITE_GUARDS
    elif connection.vendor == "postgresql":
        statements = _POSTGRES_GUARDS
    else:  # other databases: the ORM guards still apply
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextmanager
def audit_purge_window(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Allow DELETE of audit events until the end of the current transaction (or block)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_purge_window must be used inside transaction.atomic()")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('onestop.audit_purge', 'on', true)")
        elif connection.vendor == "sqlite":
            cursor.execute(f"INSERT OR REPLACE INTO {_FLAG_TABLE} (id) VALUES (1)")  # noqa: S608
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT set_config('onestop.audit_purge', 'off', true)")
                elif connection.vendor == "sqlite":
                    cursor.execute(f"DELETE FROM {_FLAG_TABLE}")  # noqa: S608


def install_guards_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    if getattr(sender, "label", None) == "core":
        install_audit_guards(connections[using])
