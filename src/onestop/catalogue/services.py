"""Writes to the catalogue: import, draft, publish, retire. Every function is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.models import Unit, User
from onestop.core.audit import audit_log
from onestop.core.rules import validate_rule_set
from onestop.policy.models import Commitment, Measure

from .choices import VersionStatus
from .models import (
    InspectionListEntry,
    Material,
    NoPenaltyEntry,
    ProofRequirement,
    ServiceItem,
    ServiceItemVersion,
)
from .specs import CatalogueError, ItemSpec, ListEntrySpec, MaterialSpec, load_documents

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Version fields compared to decide whether a re-import changes an item.
_M2M = ("measures", "commitments")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    list_entries: int = 0

    def summary(self) -> str:
        return _("新建事项 %(c)d 个，发布新版本 %(v)d 个，未变化 %(u)d 个，清单条目 %(l)d 条") % {
            "c": len(self.created),
            "v": len(self.new_versions),
            "u": len(self.unchanged),
            "l": self.list_entries,
        }


def shipped_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))


def _measures_by_citation(citations: set[str]) -> dict[str, Measure]:
    """Read-only lookup of policy measures by "tianjin-2021#4" citations."""
    wanted: dict[str, set[int]] = {}
    for citation in citations:
        document, _sep, number = citation.partition("#")
        if number.isdigit():
            wanted.setdefault(document, set()).add(int(number))
    found: dict[str, Measure] = {}
    for document, numbers in wanted.items():
        for measure in Measure.objects.filter(document__key=document, number__in=numbers):
            found[f"{document}#{measure.number}"] = measure
    return found


def _resolve(
    specs: list[ItemSpec], entries: list[ListEntrySpec], errors: list[str]
) -> dict[str, Any]:
    """Check references to units, measures and commitments; return the lookups."""
    unit_codes = {s.unit_code for s in specs} | {
        str(e.data.get("unit")) for e in entries if e.data.get("unit")
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes)}
    citations = {c for s in specs for c in s.measures}
    for entry in entries:
        raw = entry.data.get("measures") or []
        if isinstance(raw, list):
            citations |= {str(c) for c in raw}
    measures = _measures_by_citation(citations)
    commitments = Commitment.objects.in_bulk(
        {c for s in specs for c in s.commitments}, field_name="code"
    )
    for spec in specs:
        if spec.unit_code and spec.unit_code not in units:
            errors.append(
                f"{spec.origin}, unit: " + _("未知的单位代码 %(code)r") % {"code": spec.unit_code}
            )
        for citation in spec.measures:
            if citation not in measures:
                errors.append(
                    f"{spec.origin}, measures: " + _("引用的措施 %(c)s 不存在") % {"c": citation}
                )
        for code in spec.commitments:
            if code not in commitments:
                errors.append(
                    f"{spec.origin}, commitments: " + _("承诺 %(c)r 不存在") % {"c": code}
                )
    for entry in entries:
        unit_code = entry.data.get("unit")
        if unit_code and str(unit_code) not in units:
            errors.append(
                f"{entry.origin}, unit: " + _("未知的单位代码 %(code)r") % {"code": unit_code}
            )
        for citation in entry.data.get("measures") or []:
            if str(citation) not in measures:
                errors.append(
                    f"{entry.origin}, measures: " + _("引用的措施 %(c)s 不存在") % {"c": citation}
                )
    return {"units": units, "measures": measures, "commitments": commitments}


def _material_tuple(m: MaterialSpec | Material) -> tuple[Any, ...]:
    return (
        m.name,
        m.source,
        m.originals,
        m.copies,
        m.is_key,
        m.waivable,
        m.ecert_replaceable,
        m.trust_level,
        m.note,
    )


def _differs(version: ServiceItemVersion, spec: ItemSpec, lookups: dict[str, Any]) -> bool:
    for name, value in spec.fields.items():
        current = getattr(version, name)
        if current != value and not (current in (None, "") and value in (None, "")):
            return True
    if [_material_tuple(m) for m in version.materials.all()] != [
        _material_tuple(m) for m in spec.materials
    ]:
        return True
    if {m.citation for m in version.measures.all()} != set(spec.measures):
        return True
    return {c.code for c in version.commitments.all()} != set(spec.commitments)


def _create_version(
    item: ServiceItem, spec: ItemSpec, lookups: dict[str, Any]
) -> ServiceItemVersion:
    last = item.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ServiceItemVersion(item=item, number=last + 1, **spec.fields)
    version.full_clean(exclude=["item"])
    version.save()
    Material.objects.bulk_create(
        Material(
            version=version,
            position=i,
            name=m.name,
            source=m.source,
            originals=m.originals,
            copies=m.copies,
            is_key=m.is_key,
            waivable=m.waivable,
            ecert_replaceable=m.ecert_replaceable,
            trust_level=m.trust_level,
            note=m.note,
        )
        for i, m in enumerate(spec.materials, start=1)
    )
    version.measures.set([lookups["measures"][c] for c in spec.measures])
    version.commitments.set([lookups["commitments"][c] for c in spec.commitments])
    return version


def _publish(version: ServiceItemVersion) -> None:
    item = version.item
    ServiceItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).exclude(
        pk=version.pk
    ).update(status=VersionStatus.RETIRED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    item.current = version
    item.save(update_fields=["current", "updated_at"])


@transaction.atomic
def catalogue_import(*, actor: User | None, paths: list[Path] | None = None) -> ImportReport:
    """Import catalogue YAML files: all or nothing. A changed item gets a new published version;
    an unchanged one is left alone, so importing twice changes nothing."""
    paths = paths or shipped_files()
    specs, entries, errors = load_documents(paths)
    lookups = _resolve(specs, entries, errors)
    if errors:
        raise CatalogueError(errors)
    report = ImportReport()
    for spec in specs:
        unit = lookups["units"][spec.unit_code]
        item, created = ServiceItem.objects.get_or_create(code=spec.code, implementing_unit=unit)
        current = item.current
        if current is not None and not _differs(current, spec, lookups):
            report.unchanged.append(item.implementation_code)
            continue
        try:
            version = _create_version(item, spec, lookups)
        except ValidationError as exc:
            raise CatalogueError(
                [
                    f"{spec.origin}, {name}: {'; '.join(msgs)}"
                    for name, msgs in exc.message_dict.items()
                ]
            ) from exc
        _publish(version)
        (report.created if created else report.new_versions).append(item.implementation_code)
    report.list_entries = _import_list_entries(entries, lookups)
    audit_log(
        actor=actor,
        action="catalogue.import",
        summary={
            "files": [p.name for p in paths],
            "created": len(report.created),
            "new_versions": len(report.new_versions),
            "unchanged": len(report.unchanged),
        },
    )
    return report


def _item_refs(entry: ListEntrySpec, errors: list[str]) -> list[ServiceItem]:
    refs = entry.data.get("items") or []
    items = []
    for ref in refs:
        code, _sep, unit_code = str(ref).partition("@")
        item = ServiceItem.objects.filter(code=code, implementing_unit__code=unit_code).first()
        if item is None:
            errors.append(
                f"{entry.origin}, items: "
                + _("引用的事项 %(ref)r 不存在（格式：编码@单位代码）") % {"ref": ref}
            )
        else:
            items.append(item)
    return items


def _import_list_entries(entries: list[ListEntrySpec], lookups: dict[str, Any]) -> int:
    errors: list[str] = []
    count = 0
    for entry in entries:
        data = dict(entry.data)
        citations = " ".join(str(c) for c in data.pop("measures", []) or [])
        unit = lookups["units"].get(str(data.pop("unit", ""))) if "unit" in entry.data else None
        region = str(data.pop("region", "") or "")
        data.pop("items", None)
        try:
            if entry.kind == "proofs":
                obj, _created = ProofRequirement.objects.update_or_create(
                    name=str(data.get("name", "")),
                    region_code=region,
                    defaults={
                        "status": data.get("status"),
                        "issuer": data.get("issuer", ""),
                        "legal_basis": data.get("legal_basis", ""),
                        "replacement": data.get("replacement", ""),
                        "citations": citations,
                    },
                )
                obj.full_clean()
                obj.items.set(_item_refs(entry, errors))
            else:
                model = NoPenaltyEntry if entry.kind == "no_penalty" else InspectionListEntry
                fields = {f.name for f in model._meta.get_fields()}
                defaults = {k: v for k, v in data.items() if k in fields and k != "code"}
                unknown = set(data) - fields
                if unknown:
                    errors.append(
                        f"{entry.origin}: "
                        + _("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}
                    )
                    continue
                list_entry, _created = model.objects.update_or_create(
                    code=str(data.get("code", "")),
                    defaults={
                        **defaults,
                        "unit": unit,
                        "region_code": region,
                        "citations": citations,
                    },
                )
                list_entry.full_clean()
        except ValidationError as exc:
            errors.extend(
                f"{entry.origin}, {name}: {'; '.join(msgs)}"
                for name, msgs in exc.message_dict.items()
            )
            continue
        count += 1
    if errors:
        raise CatalogueError(errors)
    return count


@transaction.atomic
def version_create_draft(*, actor: User, item: ServiceItem) -> ServiceItemVersion:
    """Copy the current version into a new draft that can be edited and then published."""
    source = item.current or item.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("该事项没有可复制的版本"))
    if item.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("该事项已有未发布的草稿，请先发布或删除草稿"))
    materials = list(source.materials.all())
    measures = list(source.measures.all())
    commitments = list(source.commitments.all())
    last = item.versions.order_by("-number").values_list("number", flat=True).first() or 0
    draft = ServiceItemVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.id = None
    draft._state.adding = True
    draft.number = last + 1
    draft.status = VersionStatus.DRAFT
    draft.published_at = None
    draft.save()
    for m in materials:
        m.pk = None
        m.id = None
        m._state.adding = True
        m.version = draft
    Material.objects.bulk_create(materials)
    draft.measures.set(measures)
    draft.commitments.set(commitments)
    audit_log(
        actor=actor,
        action="catalogue.version.draft",
        obj=draft,
        unit=item.implementing_unit,
        summary={"from": source.number},
    )
    return draft


def version_validate(version: ServiceItemVersion) -> None:
    """The same rules as the YAML import, for versions edited in the admin or the staff pages."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    stat = ServiceItemVersion.limit_in_hours(version.statutory_limit, version.statutory_limit_unit)
    prom = ServiceItemVersion.limit_in_hours(version.promised_limit, version.promised_limit_unit)
    if prom > stat:
        add("promised_limit", _("承诺时限不能超过法定时限"))
    if version.max_visits == 0:
        if not (version.channel_online or version.channel_mobile):
            add("max_visits", _("“一次不用跑”的事项必须提供网上或掌上办理渠道"))
        if not (version.delivery_courier or version.delivery_electronic):
            add("max_visits", _("“一次不用跑”的事项必须提供邮寄或电子送达结果"))
    if version.commitment_approval and not version.commitment_text.strip():
        add("commitment_text", _("告知承诺制事项必须提供承诺书内容"))
    if version.pk and version.materials.filter(is_key=True, waivable=True).exists():
        add("conditional_acceptance", _("关键材料不能容缺；只有非关键材料可以容缺受理"))
    if version.fee_fen > 0 and not version.fee_basis.strip():
        add("fee_basis", _("收费事项必须写明收费依据"))
    for rule_error in validate_rule_set(version.eligibility_rules):
        add("eligibility_rules", f"eligibility{rule_error.path}: {rule_error.message}")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def version_publish(*, actor: User, version: ServiceItemVersion) -> ServiceItemVersion:
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("只有草稿可以发布；已发布的版本不可更改"))
    version_validate(version)
    previous = version.item.current
    _publish(version)
    audit_log(
        actor=actor,
        action="catalogue.version.publish",
        obj=version,
        unit=version.item.implementing_unit,
        summary={"before": previous.number if previous else None, "after": version.number},
    )
    return version


@transaction.atomic
def version_retire(*, actor: User, version: ServiceItemVersion) -> ServiceItemVersion:
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的版本可以废止"))
    version.status = VersionStatus.RETIRED
    version.save(update_fields=["status"])
    item = version.item
    if item.current_id == version.pk:
        item.current = None
        item.save(update_fields=["current", "updated_at"])
    audit_log(
        actor=actor, action="catalogue.version.retire", obj=version, unit=item.implementing_unit
    )
    return version
