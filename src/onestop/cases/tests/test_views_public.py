"""Applicant pages end to end with Django's test client: apply (draft, resume, submit),
receipt, my cases (withdraw, supplement), the public lookup."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from reportlab.pdfgen import canvas
from stdnum.cn import uscc

from onestop.accounts import services as account_services
from onestop.accounts.models import Person
from onestop.cases import services
from onestop.cases.choices import CaseState
from onestop.cases.models import Case, CaseMaterial
from onestop.catalogue.models import ServiceItemVersion
from onestop.core import workdays

from .conftest import World
from .factories import case_in_state, item_version, material, person

# The cases URLs are mounted under "cases/" by the project URLconf; until then, here.
urlpatterns = [
    path("cases/", include("onestop.cases.urls")),
    path("", include("onestop.config.urls")),
]
pytestmark = pytest.mark.urls(__name__)

SCHEMA = {
    "type": "object",
    "properties": {
        "address": {"type": "string", "title": "拟落户地址", "maxLength": 50},
        "floors": {"type": "integer", "title": "层数", "minimum": 1, "maximum": 4},
        "promise": {"type": "boolean", "const": True, "title": "本人承诺所填信息真实"},
    },
    "required": ["address", "floors"],
}
RULES = [
    {
        "id": "small-building",
        "title": "四层以下",
        "citation": "guangxi-2018#9",
        "outcome": "exempt",
        "when": {"field": "floors", "op": "<=", "value": 4, "label": "层数"},
    }
]


@cache
def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(100, 750, "onestop material")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def stored_files(root: str = "cases") -> set[str]:
    try:
        dirs, files = default_storage.listdir(root)
    except FileNotFoundError:
        return set()
    found = {f"{root}/{f}" for f in files}
    for d in dirs:
        found |= stored_files(f"{root}/{d}")
    return found


def verified(p: Person) -> Person:
    return account_services.person_mark_verified(actor=None, person=p, method="test")


def login(client: Client, p: Person) -> Client:
    client.force_login(p.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    django_cache.clear()


@pytest.fixture
def version(world: World) -> ServiceItemVersion:
    v = world.version
    v.form_schema = SCHEMA
    v.eligibility_rules = RULES
    v.save(update_fields=["form_schema", "eligibility_rules"])
    return v


@pytest.fixture
def applicant(world: World, client: Client) -> Client:
    verified(world.applicant)
    return login(client, world.applicant)


def apply_url(v: ServiceItemVersion) -> str:
    return f"/cases/apply/{v.item_id}/"


def form_data(v: ServiceItemVersion, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "app-idempotency_key": "key-1",
        "app-enterprise": "",
        "app-delivery": "window",
        "f-address": "和平区南京路1号",
        "f-floors": "3",
        "f-promise": "on",
        f"app-file_{material(v, '身份证').pk}": pdf("身份证.pdf"),
        f"app-file_{material(v, '租赁合同').pk}": pdf("合同.pdf"),
        f"app-file_{material(v, '照片').pk}": pdf("照片.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response: Any) -> dict[str, list[str]]:
    ctx = response.context
    return {**ctx["schema_form"].errors, **ctx["form"].errors}


# --- access ---------------------------------------------------------------------------------


def test_apply_needs_a_login_and_a_verified_person(
    world: World, version: ServiceItemVersion, client: Client
) -> None:
    response = client.get(apply_url(version))
    assert response.status_code == 302 and "/login" in response["Location"]
    login(client, world.applicant)  # registered but not verified
    response = client.get(apply_url(version))
    assert response.status_code == 403
    assert "请先完成实名认证" in response.content.decode()


def test_the_apply_page_shows_the_form_materials_and_checklist(
    version: ServiceItemVersion, applicant: Client
) -> None:
    response = applicant.get(apply_url(version))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("拟落户地址", "层数", "身份证", "租赁合同", "照片", "保存草稿", "提交"):
        assert text in page
    assert "申请条件自查" in page and "未填写" in page
    # a fresh idempotency key is handed out in a hidden field
    assert re.search(r'name="app-idempotency_key" value="[0-9a-f]{32}"', page)


# --- validation -----------------------------------------------------------------------------


def test_bad_input_gives_per_field_messages_and_creates_nothing(
    version: ServiceItemVersion, applicant: Client
) -> None:
    data = form_data(version, **{"f-address": None, "f-floors": "9", "f-promise": None})
    del data[f"app-file_{material(version, '身份证').pk}"]
    response = applicant.post(apply_url(version), {**data, "submit": "1"})
    assert response.status_code == 400
    errors = errors_of(response)
    assert errors["address"] == ["请填写“拟落户地址”。"]
    assert errors["floors"] == ["“层数”不能大于 4。"]
    assert errors["promise"] == ["请勾选“本人承诺所填信息真实”。"]
    assert errors[f"file_{material(version, '身份证').pk}"] == ["请上传“身份证”。"]
    assert "“层数”不能大于 4。" in response.content.decode()
    assert Case.objects.count() == 0


def test_an_executable_renamed_pdf_is_refused_on_its_field_and_nothing_is_stored(
    version: ServiceItemVersion, applicant: Client
) -> None:
    before = stored_files()
    key = material(version, "身份证").pk
    fake = SimpleUploadedFile("身份证.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = applicant.post(
        apply_url(version), {**form_data(version, **{f"app-file_{key}": fake}), "submit": "1"}
    )
    assert response.status_code == 400
    assert list(errors_of(response)) == [f"file_{key}"]
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0
    assert stored_files() == before


def test_a_delivery_the_item_does_not_offer_is_refused(
    version: ServiceItemVersion, applicant: Client
) -> None:
    response = applicant.post(
        apply_url(version), {**form_data(version, **{"app-delivery": "electronic"}), "submit": "1"}
    )
    assert errors_of(response)["delivery"] == ["该事项不支持所选的结果送达方式。"]
    assert Case.objects.count() == 0


# --- drafts ---------------------------------------------------------------------------------


def test_a_draft_is_saved_resumed_and_saved_again_under_the_same_key(
    world: World, version: ServiceItemVersion, applicant: Client
) -> None:
    data = form_data(version, **{"f-floors": ""})
    response = applicant.post(apply_url(version), {**data, "draft": "1"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == CaseState.DRAFT and case.idempotency_key == "key-1"
    assert case.form_data == {"address": "和平区南京路1号", "promise": True}
    assert case.materials.count() == 3
    # the same key again (a double click) is the same draft
    applicant.post(apply_url(version), {**form_data(version), "draft": "1"})
    assert Case.objects.count() == 1

    page = applicant.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="和平区南京路1号"' in html and 'name="app-idempotency_key" value="key-1"' in html
    assert html.count("已上传，如需更换请重新选择文件。") == 3
    # resume: submit without uploading the stored materials again
    response = applicant.post(
        f"{apply_url(version)}?case={case.pk}",
        {
            "app-idempotency_key": "key-1",
            "app-delivery": "courier",
            "f-address": "和平区南京路2号",
            "f-floors": "2",
            "f-promise": "on",
            "submit": "1",
        },
    )
    assert response.status_code == 302, errors_of(response)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.delivery == "courier"
    assert case.form_data["address"] == "和平区南京路2号"
    assert Case.objects.count() == 1


def test_another_persons_draft_cannot_be_resumed(
    world: World, version: ServiceItemVersion, client: Client
) -> None:
    draft = services.case_create(actor=world.applicant.user, item_version=version)
    login(client, verified(world.stranger))
    assert client.get(f"{apply_url(version)}?case={draft.pk}").status_code == 404


# --- submission and receipt -----------------------------------------------------------------


def test_submit_shows_the_receipt_with_number_due_instant_and_code_once(
    version: ServiceItemVersion, applicant: Client
) -> None:
    before = stored_files()
    response = applicant.post(apply_url(version), {**form_data(version), "submit": "1"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED and case.number
    stored = set(case.materials.values_list("storage_name", flat=True))
    assert len(stored) == 3 and stored == stored_files() - before
    assert all(name.startswith(f"cases/{case.pk}/") for name in stored)
    # a double click (same idempotency key) creates nothing more and shows the case
    again = applicant.post(apply_url(version), {**form_data(version), "submit": "1"})
    assert again["Location"] == f"/cases/mine/{case.number}/"
    assert Case.objects.count() == 1 and case.materials.count() == 3
    assert response["Location"] == f"/cases/{case.number}/receipt/"
    receipt = applicant.get(response["Location"])
    html = receipt.content.decode()
    assert case.number in html
    code = receipt.context["code"]
    assert re.fullmatch(r"\d{6}", code) and code in html
    # five working days from submission, closing time, shown in Beijing time
    due = receipt.context["due"]
    assert timezone.localtime(due, workdays.SHANGHAI).strftime("%Y-%m-%d %H:%M") in html
    assert due > case.submitted_at
    # the code is shown only once
    again = applicant.get(response["Location"]).content.decode()
    assert code not in again and "查询码仅在提交后显示一次" in again
    # and it works for the public lookup
    from onestop.cases.selectors import case_public_lookup

    assert case_public_lookup(number=case.number, code=code) == case


def test_failing_eligibility_blocks_submission(world: World, applicant: Client) -> None:
    v = world.version
    v.form_schema = {
        "type": "object",
        "properties": {"floors": {"type": "integer", "title": "层数"}},
    }
    v.eligibility_rules = RULES
    v.save()
    response = applicant.post(apply_url(v), {**form_data(v, **{"f-floors": "6"}), "submit": "1"})
    assert response.status_code == 400
    assert "不符合申请条件" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_commitment_approval_item_is_approved_at_once(world: World, applicant: Client) -> None:
    v = item_version(
        unit=world.units["station1"],
        commitment_approval=True,
        commitment_text="本人承诺符合条件。",
        post_check_rate=0,
    )
    response = applicant.post(
        apply_url(v), {**form_data(v), "app-commitment_signed": "on", "submit": "1"}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == CaseState.APPROVED and case.commitment
    html = applicant.get(response["Location"]).content.decode()
    assert "准予" in html
    due = timezone.localtime(case.promised_due_at, workdays.SHANGHAI)
    assert due.strftime("%Y-%m-%d %H:%M") in html


def test_conditional_acceptance_with_a_waivable_material_missing(
    version: ServiceItemVersion, applicant: Client
) -> None:
    lease, photo = material(version, "租赁合同"), material(version, "照片")
    supply_by = workdays.add_working_days(timezone.localdate(), 3)
    data = form_data(
        version,
        **{
            f"app-file_{lease.pk}": None,
            f"app-waive_{lease.pk}": "on",
            f"app-supply_by_{lease.pk}": supply_by.isoformat(),
        },
    )
    response = applicant.post(apply_url(version), {**data, "submit": "1"})
    assert response.status_code == 302, errors_of(response)
    case = Case.objects.get()
    waived = case.materials.get(material=lease)
    assert waived.waived and waived.supply_by == supply_by and not waived.storage_name
    assert case.materials.filter(waived=False).count() == 2
    # the key material and the non-waivable one offer no 容缺 box at all
    page = applicant.get(apply_url(version)).content.decode()
    assert f"app-waive_{lease.pk}" in page and f"app-waive_{photo.pk}" not in page


def test_a_supply_date_beyond_the_allowed_working_days_is_refused(
    version: ServiceItemVersion, applicant: Client
) -> None:
    lease = material(version, "租赁合同")
    late = workdays.add_working_days(timezone.localdate(), 6)
    data = form_data(
        version,
        **{
            f"app-file_{lease.pk}": None,
            f"app-waive_{lease.pk}": "on",
            f"app-supply_by_{lease.pk}": late.isoformat(),
        },
    )
    response = applicant.post(apply_url(version), {**data, "submit": "1"})
    assert response.status_code == 400
    assert "个工作日内" in errors_of(response)[f"supply_by_{lease.pk}"][0]
    assert Case.objects.count() == 0


# --- enterprise -----------------------------------------------------------------------------


def test_an_agent_applies_for_their_enterprise(
    world: World, version: ServiceItemVersion, client: Client
) -> None:
    legal_rep, agent = verified(world.applicant), verified(person("王五"))
    body = "91120101MA0000002"
    enterprise = account_services.enterprise_create(
        actor=None,
        credit_code=body + uscc.calc_check_digit(body),
        name="测试酒店有限公司",
        legal_representative_name=legal_rep.name,
        legal_representative_id=legal_rep.id_number,
    )
    account_services.enterprise_bind_legal_rep(
        person=legal_rep, credit_code=enterprise.credit_code, name=enterprise.name
    )
    account_services.enterprise_authorise_agent(
        legal_rep=legal_rep,
        enterprise=enterprise,
        agent_id_number=agent.id_number,
        agent_name=agent.name,
        until=date.today() + timedelta(days=30),
    )
    login(client, agent)
    assert "测试酒店有限公司" in client.get(apply_url(version)).content.decode()
    response = client.post(
        apply_url(version),
        {**form_data(version, **{"app-enterprise": str(enterprise.pk)}), "submit": "1"},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.enterprise == enterprise and case.agent == agent
    # a stranger cannot choose the enterprise
    login(client, verified(world.stranger))
    response = client.post(
        apply_url(version),
        {
            **form_data(version, **{"app-enterprise": str(enterprise.pk)}),
            "app-idempotency_key": "other",
            "submit": "1",
        },
    )
    assert response.status_code == 400 and "enterprise" in errors_of(response)
    assert Case.objects.count() == 1


# --- my cases -------------------------------------------------------------------------------


def test_my_cases_show_state_and_public_timeline_only(
    world: World, version: ServiceItemVersion, applicant: Client
) -> None:
    case = services.case_create(actor=world.applicant.user, item_version=version)
    case = services.case_submit(actor=world.applicant.user, case=case)
    case.events.create(at=timezone.now(), action="note", note="内部备注：核查", public=False)
    listing = applicant.get("/cases/mine/").content.decode()
    assert case.number in listing and "已提交" in listing
    detail = applicant.get(f"/cases/mine/{case.number}/").content.decode()
    assert "提交申请" in detail and "内部备注" not in detail
    assert "撤回申请" in detail


def test_withdraw(world: World, version: ServiceItemVersion, applicant: Client) -> None:
    case = services.case_create(actor=world.applicant.user, item_version=version)
    case = services.case_submit(actor=world.applicant.user, case=case)
    assert applicant.get(f"/cases/mine/{case.number}/withdraw/").status_code == 405
    response = applicant.post(f"/cases/mine/{case.number}/withdraw/", {"reason": "不办了"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    page = applicant.get(f"/cases/mine/{case.number}/").content.decode()
    assert "已撤回" in page and 'action="/cases/mine/' not in page


def test_another_users_case_is_a_404_on_mine_and_withdraw(
    world: World, version: ServiceItemVersion, client: Client
) -> None:
    case = services.case_create(actor=world.applicant.user, item_version=version)
    case = services.case_submit(actor=world.applicant.user, case=case)
    login(client, verified(world.stranger))
    assert client.get(f"/cases/mine/{case.number}/").status_code == 404
    assert client.post(f"/cases/mine/{case.number}/withdraw/").status_code == 404
    assert client.post(f"/cases/mine/{case.number}/supply/").status_code == 404
    assert client.get(f"/cases/{case.number}/receipt/").status_code == 404
    assert case.number not in client.get("/cases/mine/").content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_supplement_upload_resumes_the_case(
    world: World, version: ServiceItemVersion, applicant: Client
) -> None:
    case = case_in_state(
        version=version, applicant=world.applicant, state=CaseState.SUPPLEMENT_REQUESTED
    )
    page = applicant.get(f"/cases/mine/{case.number}/").content.decode()
    assert "提交补正材料" in page
    bad = SimpleUploadedFile("补正.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf")
    response = applicant.post(f"/cases/mine/{case.number}/supply/", {"file": bad})
    assert response.status_code == 400 and response.context["supply_form"].errors["file"]
    case.refresh_from_db()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED and case.materials.count() == 0
    response = applicant.post(
        f"/cases/mine/{case.number}/supply/", {"file": pdf("补正.pdf"), "note": "已补"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    assert case.materials.get().supplement


# --- public lookup --------------------------------------------------------------------------


@pytest.fixture
def submitted_case(world: World, version: ServiceItemVersion) -> Case:
    case = services.case_create(actor=world.applicant.user, item_version=version)
    return services.case_submit(actor=world.applicant.user, case=case)


def test_lookup_with_the_right_code_shows_progress_without_login(
    submitted_case: Case, client: Client
) -> None:
    response = client.post(
        "/cases/lookup/",
        {"number": submitted_case.number.lower(), "code": submitted_case.verification_code},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert submitted_case.number in html and "已提交" in html


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(
    submitted_case: Case, client: Client
) -> None:
    wrong_code = f"{(int(submitted_case.verification_code) + 1) % 10**6:06d}"
    wrong = client.post("/cases/lookup/", {"number": submitted_case.number, "code": wrong_code})
    unknown = client.post("/cases/lookup/", {"number": "TJ20990101000001", "code": "123456"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.context["error"] == unknown.context["error"] == "办件编号或查询码不正确。"
    assert "已提交" not in wrong.content.decode()


def test_lookup_is_rate_limited_per_ip(submitted_case: Case, client: Client) -> None:
    for _ in range(10):
        assert client.post("/cases/lookup/", {"number": "X", "code": "1"}).status_code == 404
    blocked = client.post(
        "/cases/lookup/",
        {"number": submitted_case.number, "code": submitted_case.verification_code},
    )
    assert blocked.status_code == 429 and "查询过于频繁" in blocked.content.decode()
    # another address is not affected
    other = client.post(
        "/cases/lookup/",
        {"number": submitted_case.number, "code": submitted_case.verification_code},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200


# --- e-certificates as materials -------------------------------------------------------------


def _vehicle_licence(world: World, version: ServiceItemVersion) -> Any:
    """The item asks for a 机动车行驶证 that may be an e-certificate; the applicant holds one."""
    from onestop.catalogue.models import Material
    from onestop.certificates.services import certificate_issue

    Material.objects.create(
        version=version,
        position=4,
        name="机动车行驶证",
        is_key=True,
        ecert_replaceable=True,
        trust_level="A",
    )
    return certificate_issue(
        actor=None,
        cert_type="vehicle_licence",
        unit=world.units["station1"],
        holder_name=world.applicant.name,
        holder_id=world.applicant.id_number,
        holder_person=world.applicant,
        title="机动车行驶证",
        data={"号牌号码": "津A12345"},
    )


def test_an_e_certificate_stands_for_a_material_and_nothing_is_uploaded(
    world: World, version: ServiceItemVersion, applicant: Client
) -> None:
    certificate = _vehicle_licence(world, version)
    licence = material(version, "机动车行驶证")
    page = applicant.get(apply_url(version)).content.decode()
    assert certificate.identifier in page and f"app-ecert_{licence.pk}" in page
    before = stored_files()
    data = form_data(version, **{f"app-ecert_{licence.pk}": "on"})
    response = applicant.post(apply_url(version), {**data, "submit": "1"})
    assert response.status_code == 302, errors_of(response)
    case = Case.objects.get()
    row = case.materials.get(material=licence)
    assert row.kind == "ecert" and certificate.identifier in row.display_name
    assert row.storage_name == "" and len(stored_files() - before) == 3


def test_an_e_certificate_of_someone_else_or_a_revoked_one_is_refused(
    world: World, version: ServiceItemVersion
) -> None:
    from onestop.cases import services
    from onestop.cases.errors import InvalidRequest
    from onestop.certificates.services import certificate_set_status

    certificate = _vehicle_licence(world, version)
    licence = material(version, "机动车行驶证")
    stranger_draft = services.case_create(actor=world.stranger.user, item_version=version)
    with pytest.raises(InvalidRequest) as info:
        services.case_material_from_certificate(
            actor=world.stranger.user,
            case=stranger_draft,
            material_id=licence.pk,
            certificate_id=certificate.pk,
        )
    assert info.value.code == "ecert_unusable"
    mine = services.case_create(actor=world.applicant.user, item_version=version)
    certificate_set_status(actor=None, certificate=certificate, status="revoked", reason="测试")
    with pytest.raises(InvalidRequest):
        services.case_material_from_certificate(
            actor=world.applicant.user,
            case=mine,
            material_id=licence.pk,
            certificate_id=certificate.pk,
        )
    # a material the item does not let be an e-certificate
    with pytest.raises(InvalidRequest) as info:
        services.case_material_from_certificate(
            actor=world.applicant.user,
            case=mine,
            material_id=material(version, "身份证").pk,
            certificate_id=certificate.pk,
        )
    assert info.value.code == "ecert_not_allowed"
    assert not mine.materials.exists()
