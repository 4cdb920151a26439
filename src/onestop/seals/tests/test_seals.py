"""Seal engraving, filing, verification and e-seals through the services and the pages."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reportlab.pdfgen import canvas

from onestop.accounts.choices import Role
from onestop.accounts.models import Enterprise, Person, Unit, User
from onestop.accounts.tests.conftest import login_verified
from onestop.accounts.tests.factories import staff_user
from onestop.certificates import services as certificate_services
from onestop.certificates.models import Certificate
from onestop.seals import services
from onestop.seals.choices import OrderState, SealStatus
from onestop.seals.models import EngravingShop, SealOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDFSIG = shutil.which("pdfsig")


def a_pdf() -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    drawing.drawString(72, 720, "Contract between A and B")
    drawing.save()
    return out.getvalue()


def flip_signed_byte(pdf: bytes) -> bytes:
    at = pdf.index(b"ReportLab Generated")  # in the header comment: parses the same, signed
    return pdf[:at] + b"X" + pdf[at + 1 :]


def run_order(
    *, legal_rep: Person, enterprise: Enterprise, shop: EngravingShop, operator: User
) -> SealOrder:
    order = services.seal_order_submit(
        actor=legal_rep.user,
        person=legal_rep,
        enterprise=enterprise,
        shop=shop,
        kinds=["official", "finance", "legal_rep"],
    )
    services.seal_order_accept(actor=operator, order=order)
    return services.seal_order_mark_ready(actor=operator, order=order)


def test_order_needs_no_materials_and_is_filed_with_codes_and_certificate(
    legal_rep: Person, enterprise: Enterprise, shop: EngravingShop, shop_operator: User
) -> None:
    start = dt.datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # a Monday
    with time_machine.travel(start, tick=False):
        order = services.seal_order_submit(
            actor=legal_rep.user,
            person=legal_rep,
            enterprise=enterprise,
            shop=shop,
            kinds=["official", "finance"],
        )
    assert order.fee_fen == 14000
    assert order.promise_days == Decimal("0.5")  # Tianjin
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        services.seal_order_accept(actor=shop_operator, order=order)
    # 09:30 → 13:45 is 2.5 h of office time before lunch + 15 min after = 2 h 45 min
    with time_machine.travel(start.replace(hour=13, minute=45), tick=False):
        order = services.seal_order_mark_ready(actor=shop_operator, order=order)
    assert order.state == OrderState.READY
    assert order.elapsed_working == dt.timedelta(hours=2, minutes=45)
    promise = services.order_promise(order)
    assert promise.met and promise.promise == dt.timedelta(hours=3, minutes=30)
    codes = [s.code for s in order.seals.all()]
    assert all(c and c.startswith("120101") and len(c) == 13 for c in codes)
    assert {s.status for s in order.seals.all()} == {SealStatus.FILED}
    cert = order.filing_certificate
    assert cert is not None and cert.cert_type == "seal_filing"
    assert cert.holder_enterprise == enterprise
    assert all(code in "".join(cert.data.values()) for code in codes)


def test_late_order_shows_missed_promise(
    legal_rep: Person, enterprise: Enterprise, shop: EngravingShop, shop_operator: User
) -> None:
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        order = services.seal_order_submit(
            actor=legal_rep.user,
            person=legal_rep,
            enterprise=enterprise,
            shop=shop,
            kinds=["official"],
        )
        services.seal_order_accept(actor=shop_operator, order=order)
    with time_machine.travel(start.replace(hour=16), tick=False):
        order = services.seal_order_mark_ready(actor=shop_operator, order=order)
    assert not services.order_promise(order).met  # 6 h > 3.5 h


def test_only_the_chosen_shops_operator_may_work_and_steps_are_ordered(
    legal_rep: Person, enterprise: Enterprise, shop: EngravingShop, shop_operator: User
) -> None:
    order = services.seal_order_submit(
        actor=legal_rep.user, person=legal_rep, enterprise=enterprise, shop=shop, kinds=["official"]
    )
    with pytest.raises(ValidationError):
        services.seal_order_accept(actor=legal_rep.user, order=order)
    with pytest.raises(ValidationError):
        services.seal_order_mark_ready(actor=shop_operator, order=order)
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED


def test_stranger_cannot_order_for_enterprise(
    enterprise: Enterprise, shop: EngravingShop, shop_operator: User
) -> None:
    stranger = shop_operator.person
    with pytest.raises(ValidationError):
        services.seal_order_submit(
            actor=stranger.user,
            person=stranger,
            enterprise=enterprise,
            shop=shop,
            kinds=["official"],
        )
    assert SealOrder.objects.count() == 0


def test_seal_verification_page_and_revocation(
    legal_rep: Person,
    enterprise: Enterprise,
    shop: EngravingShop,
    shop_operator: User,
    client: Client,
) -> None:
    order = run_order(legal_rep=legal_rep, enterprise=enterprise, shop=shop, operator=shop_operator)
    seal = order.seals.get(kind="official")
    page = client.get(reverse("seals:verify"), {"code": seal.code}).content.decode()
    assert "已在公安机关备案" in page and enterprise.name in page
    imprint = client.get(reverse("seals:imprint", args=[seal.code]))
    assert imprint["Content-Type"] == "image/png" and imprint.content.startswith(b"\x89PNG")
    services.seal_revoke(actor=legal_rep.user, seal=seal, reason="遗失")
    page = client.get(reverse("seals:verify"), {"code": seal.code}).content.decode()
    assert "已注销" in page and "请勿使用" in page
    api = client.get("/api/v1/seals/verify/", {"code": seal.code}).json()
    assert api["status"] == "revoked"
    assert client.get("/api/v1/seals/verify/", {"code": "1201019999999"}).status_code == 404
    assert "未查到该印章" in client.get(reverse("seals:verify"), {"code": "1"}).content.decode()


def test_eseal_signs_pdf_that_validates_independently_and_fails_when_changed(
    legal_rep: Person,
    enterprise: Enterprise,
    shop: EngravingShop,
    shop_operator: User,
    tmp_path: Path,
) -> None:
    order = run_order(legal_rep=legal_rep, enterprise=enterprise, shop=shop, operator=shop_operator)
    seal = order.seals.get(kind="official")
    eseal = services.eseal_create(actor=legal_rep.user, person=legal_rep, seal=seal)
    with pytest.raises(ValidationError):
        services.eseal_create(
            actor=legal_rep.user, person=legal_rep, seal=order.seals.get(kind="legal_rep")
        )
    signed = services.eseal_sign_pdf(
        actor=legal_rep.user, person=legal_rep, eseal=eseal, pdf=a_pdf(), document_name="c.pdf"
    )
    results = services.eseal_verify_pdf(pdf=signed)
    assert len(results) == 1 and results[0].ok and results[0].eseal == eseal
    tampered = flip_signed_byte(signed)
    assert not services.eseal_verify_pdf(pdf=tampered)[0].ok
    # the SM2/SM3 signature over the seal data verifies with the e-seal's SM2 public key
    record = eseal.signatures.get()
    import json

    from onestop.certificates import sm2

    sm = json.loads(record.seal_data_sm2)
    data = services.seal_data(
        eseal, document_sha256=record.original_sha256, signed_at=sm["signed_at"]
    )
    public = sm2.SM2PublicKey(eseal.sm2_public_key)
    assert sm2.verify(data, bytes.fromhex(sm["signature"]), key=public)
    assert not sm2.verify(data + b" ", bytes.fromhex(sm["signature"]), key=public)
    if shutil.which("pdftoppm"):  # the stamp is visible: red pixels in the lower right corner
        (tmp_path / "stamped.pdf").write_bytes(signed)
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", str(tmp_path / "stamped.pdf"), str(tmp_path / "p")],
            check=True,
        )
        from PIL import Image

        page = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
        w, h = page.size
        data = page.crop((w // 2, h * 2 // 3, w, h)).tobytes()
        pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
        assert sum(1 for r, g, b in pixels if r > 180 and g < 90 and b < 90) > 50
    if PDFSIG:
        good = tmp_path / "good.pdf"
        bad = tmp_path / "bad.pdf"
        good.write_bytes(signed)
        bad.write_bytes(tampered)
        out = subprocess.run([PDFSIG, str(good)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in out
        out = subprocess.run([PDFSIG, str(bad)], capture_output=True, text=True).stdout
        assert "Signature is Valid." not in out
    # a revoked seal's e-seal can no longer sign, and its signatures stop verifying as valid
    services.seal_revoke(actor=legal_rep.user, seal=seal, reason="更换")
    with pytest.raises(ValidationError):
        services.eseal_sign_pdf(
            actor=legal_rep.user, person=legal_rep, eseal=eseal, pdf=a_pdf(), document_name="d"
        )
    assert not services.eseal_verify_pdf(pdf=signed)[0].ok


def test_pages_order_sign_and_third_party_verify(
    legal_rep: Person,
    enterprise: Enterprise,
    shop: EngravingShop,
    shop_operator: User,
) -> None:
    applicant = Client()
    applicant.force_login(legal_rep.user, backend="django.contrib.auth.backends.ModelBackend")
    response = applicant.post(
        reverse("seals:order-new"),
        {
            "enterprise": enterprise.pk,
            "kinds": ["official", "contract"],
            "shop": shop.pk,
            "handover": "pickup",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = SealOrder.objects.get()
    operator = Client()
    operator.force_login(shop_operator, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("seals:shop-order", args=[order.number])
    assert applicant.get(url).status_code == 403
    operator.post(url, {"action": "accept"})
    operator.post(url, {"action": "ready"})
    order.refresh_from_db()
    assert order.state == OrderState.READY
    page = applicant.get(reverse("seals:order", args=[order.number])).content.decode()
    assert "承诺 0.50 个工作日" in page and "印章备案证明" in page
    seal = order.seals.get(kind="official")
    applicant.post(reverse("seals:eseal-create", args=[order.number, seal.pk]))
    signed = applicant.post(
        reverse("seals:sign"),
        {
            "eseal": seal.eseal.pk,
            "document": SimpleUploadedFile("c.pdf", a_pdf(), content_type="application/pdf"),
        },
    )
    assert signed["Content-Type"] == "application/pdf"
    third = Client()
    result = third.post(
        reverse("seals:verify-pdf"),
        {"document": SimpleUploadedFile("s.pdf", signed.content, content_type="application/pdf")},
    ).content.decode()
    assert "签章有效" in result and seal.code in result
    fake = third.post(
        reverse("seals:verify-pdf"),
        {"document": SimpleUploadedFile("s.pdf", b"not a pdf", content_type="application/pdf")},
    )
    assert fake.status_code == 200 and "签章有效" not in fake.content.decode()
    # the filing certificate is in the enterprise's wallet
    assert Certificate.objects.filter(holder_enterprise=enterprise).count() == 1
    wallet = applicant.get(reverse("certificates:wallet")).content.decode()
    assert "印章备案证明" in wallet
    assert certificate_services.certificate_verify(
        identifier=order.filing_certificate.identifier
    ).is_valid


def test_admin_lists_shops_orders_certificates_and_keys(
    unit: Unit,
    legal_rep: Person,
    enterprise: Enterprise,
    shop: EngravingShop,
    shop_operator: User,
) -> None:
    admin = staff_user(unit=unit, roles=[Role.PLATFORM_ADMIN], username="root")
    admin_client = login_verified(Client(), admin)
    run_order(legal_rep=legal_rep, enterprise=enterprise, shop=shop, operator=shop_operator)
    for name in [
        "seals_engravingshop",
        "seals_sealorder",
        "seals_seal",
        "certificates_certificate",
        "certificates_signingkey",
        "certificates_unitissuer",
    ]:
        response = admin_client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
    assert (
        shop.name
        in admin_client.get(reverse("admin:seals_engravingshop_changelist")).content.decode()
    )


def test_eseal_sm2_keys_and_nonces_do_not_come_from_the_random_module() -> None:
    """gmssl's own key and nonce helpers draw from ``random`` (Mersenne Twister): reseeding it
    must not reproduce a key or a signature."""
    import random

    from onestop.certificates import sm2

    random.seed(38540)
    first = services._sm2_keypair()
    random.seed(38540)
    second = services._sm2_keypair()
    assert first[0] != second[0]
    key = sm2.private_key_from_hex(first[0])
    random.seed(38540)
    one = sm2.sign(b"seal data", key=key)
    random.seed(38540)
    two = sm2.sign(b"seal data", key=key)
    assert one != two
    assert sm2.verify(b"seal data", one, key=key.public)
