"""Reads of the certificates app."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from onestop.accounts.models import Person
from onestop.accounts.selectors import enterprises_person_can_act_for

from .models import Certificate
from .sealimage import seal_png


def certificates_of_person(person: Person) -> QuerySet[Certificate]:
    """The person's own certificates and those of enterprises they may act for."""
    enterprises = [e.pk for e in enterprises_person_can_act_for(person)]
    return (
        Certificate.objects.filter(Q(holder_person=person) | Q(holder_enterprise__in=enterprises))
        .select_related("issuing_unit", "holder_enterprise")
        .defer("pdf")
    )


def seal_image_png(name: str, bottom: str = "", *, code: str = "") -> bytes:
    """A seal imprint picture (used by the seals app for engraved seals and e-seals)."""
    return seal_png(name, bottom, code=code)


def certificates_usable_as_material(
    *, person: Person, material_name: str, enterprise_id: int | None = None
) -> QuerySet[Certificate]:
    """Valid certificates of the applicant (or of the enterprise applied for) whose title is the
    material's name, e.g. the material 居民身份证 ↔ the e-certificate 居民身份证: what the case
    engine can attach instead of an upload where the material's trust level allows it."""
    from django.utils import timezone

    from .choices import CertificateStatus

    holder = Q(holder_enterprise_id=enterprise_id) if enterprise_id else Q(holder_person=person)
    today = timezone.localdate()
    return (
        Certificate.objects.filter(
            holder, status=CertificateStatus.VALID, title=material_name.strip()
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("issuing_unit")
        .defer("pdf")
    )
