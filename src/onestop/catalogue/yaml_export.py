"""The published catalogue back to YAML, in the format ``specs.load_documents`` reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from . import selectors
from .models import InspectionListEntry, NoPenaltyEntry, ProofRequirement, ServiceItemVersion


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def version_to_dict(v: ServiceItemVersion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": v.item.code,
        "unit": v.item.implementing_unit.code,
        "name": v.name,
        "short_name": v.short_name,
        "item_type": v.item_type,
        "category": v.category,
        "keywords": v.keywords.split(),
        "level": v.level,
        "summary": v.summary,
        "legal_basis": v.legal_basis,
        "conditions": v.conditions,
        "limits": {
            "statutory": _number(v.statutory_limit),
            "promised": _number(v.promised_limit),
            "statutory_unit": v.statutory_limit_unit,
            "promised_unit": v.promised_limit_unit,
            "note": v.limit_note,
        },
        "fee": {"fen": v.fee_fen, "basis": v.fee_basis},
        "channels": v.channels,
        "max_visits": v.max_visits,
        "cross_region": v.cross_region_scope,
        "on_the_spot": v.on_the_spot,
        "appointment": v.appointment_needed,
        "weekend": v.weekend_service,
        "delivery": v.deliveries,
        "result": {"type": v.result_type, "name": v.result_name},
        "materials": [
            {
                "name": m.name,
                "source": m.source,
                "originals": m.originals,
                "copies": m.copies,
                "key": m.is_key,
                "waivable": m.waivable,
                "ecert": m.ecert_replaceable,
                "trust": m.trust_level,
                "note": m.note,
            }
            for m in v.materials.all()
        ],
        "form_schema": v.form_schema,
        "eligibility": v.eligibility_rules,
        "measures": sorted(m.citation for m in v.measures.all()),
        "commitments": sorted(c.code for c in v.commitments.all()),
    }
    if v.conditional_acceptance:
        data["conditional_acceptance"] = {
            "supply_days": v.conditional_supply_days,
            "consequence": v.conditional_consequence,
        }
    if v.commitment_approval:
        data["commitment_approval"] = {"text": v.commitment_text}
        if v.post_check_rate is not None:
            data["commitment_approval"]["post_check_rate"] = _number(v.post_check_rate)
    return data


def _citations(text: str) -> list[str]:
    return text.split()


def catalogue_export_yaml(*, region: str | None = None) -> str:
    versions = selectors.current_versions(region=region).prefetch_related(
        "materials", "measures__document", "commitments"
    )
    proofs = ProofRequirement.objects.prefetch_related("items__implementing_unit")
    no_penalty = NoPenaltyEntry.objects.select_related("unit")
    inspections = InspectionListEntry.objects.select_related("unit")
    if region:
        prefix = selectors.region_prefix(region)
        proofs = proofs.filter(region_code__startswith=prefix)
        no_penalty = no_penalty.filter(region_code__startswith=prefix)
        inspections = inspections.filter(region_code__startswith=prefix)
    document = {
        "items": [version_to_dict(v) for v in versions],
        "proofs": [
            {
                "name": p.name,
                "status": p.status,
                "issuer": p.issuer,
                "legal_basis": p.legal_basis,
                "replacement": p.replacement,
                "region": p.region_code,
                "items": [f"{i.code}@{i.implementing_unit.code}" for i in p.items.all()],
                "measures": _citations(p.citations),
            }
            for p in proofs
        ],
        "no_penalty": [
            {
                "code": e.code,
                "violation": e.violation,
                "legal_basis": e.legal_basis,
                "conditions": e.conditions,
                "correction_period": e.correction_period,
                **({"unit": e.unit.code} if e.unit else {}),
                "region": e.region_code,
                "measures": _citations(e.citations),
            }
            for e in no_penalty
        ],
        "inspections": [
            {
                "code": e.code,
                "subject": e.subject,
                "target": e.target,
                "legal_basis": e.legal_basis,
                "frequency": e.frequency,
                "max_per_year": e.max_per_year,
                "focus": e.focus,
                "method": e.method,
                **({"unit": e.unit.code} if e.unit else {}),
                "region": e.region_code,
                "measures": _citations(e.citations),
            }
            for e in inspections
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
