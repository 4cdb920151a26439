"""Demo engraving shops and a shop operator account, on top of ``manage.py demo_load``
(idempotent). The operator logs in to the public portal with 13600136001 and the demo password
and works at /seals/shop/."""

from __future__ import annotations

from decimal import Decimal

from onestop.accounts import services as account_services
from onestop.accounts.models import User
from onestop.core.pii import lookup_hash
from onestop.demo.staff import DEMO_PASSWORD

from .models import EngravingShop

PRICES = {"official": 8000, "finance": 6000, "contract": 6000, "invoice": 6000, "legal_rep": 3000}
SHOPS = [
    ("和平印章刻制中心", "津公特刻字 0001 号", "120101", "天津市和平区滨江道 1 号", "4.8"),
    ("河西诚信刻字社", "津公特刻字 0002 号", "120103", "天津市河西区友谊路 5 号", "4.5"),
    ("滨海新区印章服务部", "津公特刻字 0003 号", "120116", "天津市滨海新区第三大街 20 号", "4.6"),
    ("南宁青秀印章刻制厂", "桂公特刻字 0101 号", "450103", "南宁市青秀区民族大道 100 号", "4.7"),
]
OPERATOR = ("刻章店员", "120101199001011239", "13600136001")


def load_demo() -> None:
    shops = []
    for name, licence, region, address, rating in SHOPS:
        shop, _created = EngravingShop.objects.get_or_create(
            licence_no=licence,
            defaults={
                "name": name,
                "region_code": region,
                "address": address,
                "prices": PRICES,
                "rating": Decimal(rating),
                "phone": "022-00000000" if region.startswith("12") else "0771-0000000",
            },
        )
        shops.append(shop)
    name, id_number, mobile = OPERATOR
    user = User.objects.filter(mobile_hash=lookup_hash(mobile, kind="mobile")).first()
    if user is None:
        person = account_services.person_register(
            name=name, id_number=id_number, mobile=mobile, password=DEMO_PASSWORD
        )
        person = account_services.person_mark_verified(actor=None, person=person, method="demo")
        user = person.user
    for shop in shops[:1]:
        shop.operators.add(user)
