"""Demo e-certificates on top of ``manage.py demo_load`` (idempotent)."""

from __future__ import annotations

from onestop.accounts.models import Person, Unit
from onestop.core.pii import lookup_hash

from . import services
from .models import Certificate

#: (holder ID number, type, issuing unit code, data)
DEMO_CERTIFICATES = [
    (
        "120101198503121230",
        "resident_id",
        "TJ-RKZD",
        {"性别": "男", "民族": "汉", "住址": "天津市和平区南京路 100 号"},
    ),
    ("120101198503121230", "driving_licence", "TJ-JJZD", {"准驾车型": "C1"}),
    (
        "120101198503121230",
        "vehicle_licence",
        "TJ-JJZD",
        {"号牌号码": "津A·D1234", "车辆类型": "小型新能源汽车"},
    ),
    ("120103199007152342", "household_register", "TJ-RKZD", {"户别": "家庭户"}),
    ("450302199205204562", "residence_permit", "TJ-RKZD", {"居住地址": "天津市河西区友谊路 5 号"}),
]


def load_demo() -> None:
    for id_number, cert_type, unit_code, data in DEMO_CERTIFICATES:
        person = Person.objects.filter(
            id_number_hash=lookup_hash(id_number, kind="resident_id")
        ).first()
        unit = (
            Unit.objects.filter(code=unit_code).first() or Unit.objects.filter(parent=None).first()
        )
        if person is None or unit is None:
            continue
        if Certificate.objects.filter(holder_person=person, cert_type=cert_type).exists():
            continue
        services.certificate_issue_from_register(
            actor=None, person=person, cert_type=cert_type, unit=unit, data=data
        )
