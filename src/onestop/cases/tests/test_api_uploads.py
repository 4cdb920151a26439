"""Material uploads through the applicant API: accepted files are stored under uuid names; each
refused file (disguised executable, oversize, decompression bomb, path in the name, empty) is a
400 with the reason and leaves nothing in storage and no row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from onestop.cases.choices import CaseState as S
from onestop.cases.models import Case, CaseMaterial
from onestop.core.models import AuditEvent
from onestop.core.tests.test_uploads import huge_png, image_bytes, pdf_bytes

from .conftest import World
from .test_api import MINE, _body, _client, _create, _schema  # noqa: F401  (autouse fixture)
from .test_api import _case as case_in

pytestmark = pytest.mark.django_db
OCTET = "application/octet-stream"
PE_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 54 + b"PE\0\0"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def _files(media: Path) -> list[str]:
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def _draft(world: World, client: APIClient) -> dict[str, Any]:
    response = _create(client, _body(world), key="upload-draft")
    assert response.status_code == 201, response.content
    return response.json()


def _material(world: World, name: str) -> int:
    return world.version.materials.get(name=name).pk


def _upload(client: APIClient, ref: Any, material_id: int, name: str, data: bytes) -> Any:
    """POST a hand-built multipart body: the test client would strip a path from the file name
    before sending, a raw client need not."""
    boundary = "----onestop-test-boundary"
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="material_id"\r\n\r\n'
            f"{material_id}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            f"Content-Type: {OCTET}\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST",
        f"{MINE}{ref}/materials/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_upload_to_a_draft_is_stored_listed_and_replaced(world: World, media: Path) -> None:
    client = _client(world.applicant.user)
    draft = _draft(world, client)
    photo = _material(world, "照片")
    first = _upload(client, draft["id"], photo, "证件照.png", image_bytes("PNG"))
    assert first.status_code == 201, first.content
    assert first.json()["kind"] == "png" and first.json()["display_name"] == "证件照.png"
    again = _upload(client, draft["id"], photo, "新照片.jpg", image_bytes("JPEG"))
    assert again.status_code == 201
    materials = client.get(f"{MINE}{draft['id']}/").json()["materials"]
    assert [(m["name"], m["kind"]) for m in materials] == [("照片", "jpeg")]
    assert len(_files(media)) == 2  # the replaced file's row is gone; its file is kept for audit
    assert AuditEvent.objects.filter(action="case.material_upload").count() == 2


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("申请表.pdf", PE_HEADER + pdf_bytes(), "executable"),
        ("大文件.pdf", pdf_bytes() + b"\0" * 200_001, "too_large"),
        ("bomb.png", huge_png(20_000), "image_too_large"),
        ("../../etc/passwd.pdf", pdf_bytes(), "unsafe_name"),
        ("..\\..\\windows\\win.pdf", pdf_bytes(), "unsafe_name"),
        ("空.pdf", b"", "empty"),
    ],
)
def test_refused_uploads_store_nothing(
    world: World, media: Path, settings: Any, name: str, data: bytes, code: str
) -> None:
    settings.ONESTOP_UPLOAD_MAX_BYTES = 200_000
    client = _client(world.applicant.user)
    draft = _draft(world, client)
    response = _upload(client, draft["id"], _material(world, "身份证"), name, data)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not CaseMaterial.objects.exists()
    assert _files(media) == []


def test_upload_to_a_submitted_case_or_unknown_material_is_refused(
    world: World, media: Path
) -> None:
    client = _client(world.applicant.user)
    draft = _draft(world, client)
    unknown = _upload(client, draft["id"], 999_999, "a.pdf", pdf_bytes())
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_material"
    submitted = case_in(world, S.SUBMITTED)
    late = _upload(client, submitted.number, _material(world, "照片"), "a.pdf", pdf_bytes())
    assert late.status_code == 409 and late.json()["code"] == "not_a_draft"
    assert not CaseMaterial.objects.exists() and _files(media) == []


def test_another_applicants_draft_is_404(world: World, media: Path) -> None:
    owner = _client(world.applicant.user)
    draft = _draft(world, owner)
    stranger = _client(world.stranger.user)
    response = _upload(stranger, draft["id"], _material(world, "照片"), "a.pdf", pdf_bytes())
    assert response.status_code == 404
    assert not CaseMaterial.objects.exists() and _files(media) == []


def test_supply_answers_a_supplement_request(world: World, media: Path) -> None:
    client = _client(world.applicant.user)
    case = case_in(world, S.SUPPLEMENT_REQUESTED)
    response = client.post(
        f"{MINE}{case.number}/supply/",
        {"file": SimpleUploadedFile("租赁合同.pdf", pdf_bytes(), OCTET), "note": "已盖章"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == S.IN_REVIEW
    row = CaseMaterial.objects.get()
    assert row.supplement and row.kind == "pdf"
    # not awaiting a supplement any more: refused, nothing stored
    again = client.post(
        f"{MINE}{case.number}/supply/",
        {"file": SimpleUploadedFile("b.pdf", pdf_bytes(), OCTET)},
        format="multipart",
    )
    assert again.status_code == 409
    assert CaseMaterial.objects.count() == 1 and len(_files(media)) == 1
    assert Case.objects.get(pk=case.pk).state == S.IN_REVIEW
