"""Writes of the policy app. Every function is keyword-only, atomic and audited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.audit import audit_log

from .choices import MeasureStatus
from .loader import DATA_DIR, read_policy_data
from .models import (
    Commitment,
    Measure,
    MeasurePart,
    PolicyDocument,
    ProgressReport,
    SupervisionNote,
)

#: roles allowed to write supervision notes (督办意见)
SUPERVISOR_ROLES = ("supervisor", "platform_admin")


def can_supervise(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "kind", "") == "staff"
        and user.has_role(*SUPERVISOR_ROLES)
    )


def _require_staff(actor: Any) -> None:
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or (getattr(actor, "kind", "") != "staff")
    ):
        raise PermissionDenied(_("只有民警可以报告措施落实进展。"))


@dataclass
class LoadResult:
    documents: int
    measures_created: int
    measures_updated: int
    parts: int
    commitments_created: int
    commitments_updated: int


@transaction.atomic
def policy_data_load(*, actor: Any = None, data_dir: Path = DATA_DIR) -> LoadResult:
    """Load the shipped documents, measures and commitments, updating in place by natural key
    (document key; document + measure number; commitment code). A measure's status, progress,
    reports and notes are never touched by a reload. Invalid data raises ``PolicyDataError``
    before anything is written."""
    data = read_policy_data(data_dir)
    documents: dict[str, PolicyDocument] = {}
    for d in data.documents:
        documents[d.key], _created = PolicyDocument.objects.update_or_create(
            key=d.key,
            defaults={
                "issuer": d.issuer,
                "title": d.title,
                "date": d.date,
                "region_code": d.region_code,
                "source_file": d.source_file,
                "disclosure": d.disclosure,
            },
        )
    measures: dict[str, Measure] = {}
    created_count = updated_count = part_count = 0
    for m in data.measures:
        measure, created = Measure.objects.update_or_create(
            document=documents[m.document],
            number=m.number,
            defaults={
                "section": m.section,
                "title": m.title,
                "summary": m.summary,
                "deadline_text": m.deadline_text,
                "deadline_date": m.deadline_date,
                "lead_units": m.lead_units,
                "responsible_units": m.responsible_units,
            },
            create_defaults={
                "section": m.section,
                "title": m.title,
                "summary": m.summary,
                "deadline_text": m.deadline_text,
                "deadline_date": m.deadline_date,
                "lead_units": m.lead_units,
                "responsible_units": m.responsible_units,
                "status": m.initial_status,
            },
        )
        created_count += created
        updated_count += not created
        measures[m.citation] = measure
        for p in m.parts:
            MeasurePart.objects.update_or_create(
                measure=measure,
                number=p.number,
                defaults={
                    "summary": p.summary,
                    "deadline_text": p.deadline_text,
                    "deadline_date": p.deadline_date,
                    "lead_units": p.lead_units,
                    "responsible_units": p.responsible_units,
                },
            )
            part_count += 1
        measure.parts.exclude(number__in=[p.number for p in m.parts]).delete()
    c_created = c_updated = 0
    for c in data.commitments:
        commitment, created = Commitment.objects.update_or_create(
            code=c.code,
            defaults={
                "measure": measures[c.measure],
                "metric": c.metric,
                "comparator": c.comparator,
                "value": c.value,
                "value_max": c.value_max,
                "unit": c.unit,
                "baseline_value": c.baseline_value,
                "due_date": c.due_date,
                "scope": c.scope,
                "description": c.description,
                "source_quote": c.source_quote,
                "measured_by": c.measured_by,
            },
        )
        commitment.also_measures.set([measures[a] for a in c.also_measures])
        c_created += created
        c_updated += not created
    result = LoadResult(
        documents=len(documents),
        measures_created=created_count,
        measures_updated=updated_count,
        parts=part_count,
        commitments_created=c_created,
        commitments_updated=c_updated,
    )
    audit_log(actor=actor, action="policy.data_load", summary=result.__dict__)
    return result


def _validate_percent(percent: int) -> None:
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValidationError({"percent": _("完成进度应为 0 到 100 之间的整数。")})


@transaction.atomic
def measure_set_status(
    *, actor: Any, measure: Measure, status: MeasureStatus | str, reason: str = ""
) -> Measure:
    """Change a measure's implementation status."""
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("未知的落实状态。")})
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    before = measure.status
    if before == status:
        return measure
    measure.status = str(status)
    if status == MeasureStatus.DONE:
        measure.percent = 100
    measure.status_changed_at = timezone.now()
    measure.save(update_fields=["status", "percent", "status_changed_at", "updated_at"])
    audit_log(
        actor=actor,
        action="policy.measure.status_set",
        obj=measure,
        summary={
            "citation": measure.citation,
            "before": before,
            "after": str(status),
            "reason": reason[:500],
        },
    )
    return measure


@transaction.atomic
def measure_report_progress(
    *,
    actor: Any,
    measure: Measure,
    text: str,
    percent: int,
    status: MeasureStatus | str | None = None,
    unit: Any = None,
    unit_name: str = "",
) -> ProgressReport:
    """An officer reports how far a measure is implemented. Without an explicit status,
    100% means done and anything above 0% means in progress (ongoing measures stay ongoing)."""
    _require_staff(actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写进展情况。")})
    _validate_percent(percent)
    if status is None or status == "":
        if measure.status == MeasureStatus.ONGOING:
            status = MeasureStatus.ONGOING
        elif percent == 100:
            status = MeasureStatus.DONE
        elif percent > 0:
            status = MeasureStatus.IN_PROGRESS
        else:
            status = measure.status
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("未知的落实状态。")})
    if status == MeasureStatus.DONE and percent != 100:
        raise ValidationError({"percent": _("标记为已完成时，完成进度应为 100%。")})
    unit = unit if unit is not None else getattr(actor, "unit", None)
    unit_name = (unit_name or (unit.name if unit is not None else "")).strip()[:100]
    report = ProgressReport.objects.create(
        measure=measure,
        unit=unit,
        unit_name=unit_name,
        author=actor,
        text=text,
        percent=percent,
        status_after=str(status),
    )
    measure = measure_set_status(actor=actor, measure=measure, status=status, reason=_("进展报告"))
    if measure.percent != percent:
        measure.percent = percent
        measure.save(update_fields=["percent", "updated_at"])
    audit_log(
        actor=actor,
        action="policy.measure.progress_reported",
        obj=measure,
        summary={
            "citation": measure.citation,
            "report": report.pk,
            "percent": percent,
            "status": str(status),
            "unit": unit_name,
        },
    )
    return report


@transaction.atomic
def measure_add_supervision_note(*, actor: Any, measure: Measure, text: str) -> SupervisionNote:
    """A supervisor records a supervision note (督办意见) on a measure."""
    if not can_supervise(actor):
        raise PermissionDenied(_("只有督办人或平台管理员可以填写督办意见。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写督办意见。")})
    note = SupervisionNote.objects.create(measure=measure, author=actor, text=text)
    audit_log(
        actor=actor,
        action="policy.measure.supervision_note_added",
        obj=measure,
        summary={"citation": measure.citation, "note": note.pk, "overdue": measure.is_overdue()},
    )
    return note
