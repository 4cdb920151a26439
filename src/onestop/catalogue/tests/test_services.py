from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from onestop.catalogue import services
from onestop.catalogue.choices import VersionStatus
from onestop.catalogue.models import ServiceItem, ServiceItemVersion
from onestop.catalogue.specs import CatalogueError
from onestop.core.models import AuditEvent

from .conftest import item, write_yaml

pytestmark = pytest.mark.usefixtures("catalogue_units", "measures")


def test_import_creates_a_published_version_with_materials_and_citations(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path, "a.yaml", {"items": [item(commitments=["seal-engraving-half-day"])]}
    )
    report = services.catalogue_import(actor=None, paths=[path])
    assert report.created == ["S001-01-120000-TJ-ZAZD"]
    entity = ServiceItem.objects.get()
    version = entity.current
    assert version.status == VersionStatus.PUBLISHED and version.number == 1
    assert [m.name for m in version.materials.all()] == ["营业执照", "经办人授权书"]
    assert {m.citation for m in version.measures.all()} == {"tianjin-2021#4"}
    assert {c.code for c in version.commitments.all()} == {"seal-engraving-half-day"}
    assert AuditEvent.objects.filter(action="catalogue.import").count() == 1


def test_importing_twice_changes_nothing_and_a_change_publishes_a_new_version(
    tmp_path: Path,
) -> None:
    path = write_yaml(tmp_path, "a.yaml", {"items": [item()]})
    services.catalogue_import(actor=None, paths=[path])
    again = services.catalogue_import(actor=None, paths=[path])
    assert again.unchanged == ["S001-01-120000-TJ-ZAZD"] and not again.new_versions
    first = ServiceItem.objects.get().current

    write_yaml(tmp_path, "a.yaml", {"items": [item(limits={"statutory": 1, "promised": 0.25})]})
    changed = services.catalogue_import(actor=None, paths=[path])
    assert changed.new_versions == ["S001-01-120000-TJ-ZAZD"]
    first.refresh_from_db()
    current = ServiceItem.objects.get().current
    assert current.number == 2 and str(current.promised_limit) == "0.25"
    # The earlier version is kept, unchanged, for the cases filed under it.
    assert first.status == VersionStatus.RETIRED and str(first.promised_limit) == "0.50"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"limits": {"statutory": 1, "promised": 2}}, "limits.promised", "不能超过法定时限"),
        ({"limits": {"statutory": "abc", "promised": 1}}, "limits.statutory", "应为数字"),
        ({"limits": {"statutory": -1, "promised": 1}}, "limits.statutory", "应为正数"),
        ({"unit": "NOPE"}, "unit", "未知的单位代码 'NOPE'"),
        (
            {"commitment_approval": {"post_check_rate": 10}},
            "commitment_approval.text",
            "必须提供承诺书内容",
        ),
        (
            {"materials": [{"name": "身份证", "key": True, "waivable": True}]},
            "waivable",
            "关键材料不能容缺",
        ),
        ({"channels": ["window"]}, "max_visits", "网上或掌上办理渠道"),
        ({"delivery": ["window"]}, "max_visits", "邮寄或电子送达"),
        ({"measures": ["tianjin-2021#99"]}, "measures", "tianjin-2021#99 不存在"),
        ({"measures": ["shanghai#1"]}, "measures", "格式无效"),
        ({"commitments": ["no-such-promise"]}, "commitments", "'no-such-promise' 不存在"),
        ({"fee": {"fen": 2000}}, "fee.basis", "必须写明收费依据"),
        ({"item_type": "tax"}, "item_type", "无效"),
        ({"code": "seal"}, "code", "格式无效"),
    ],
)
def test_invalid_items_are_refused_naming_file_item_and_field(
    tmp_path: Path, overrides: dict, field: str, message: str
) -> None:
    good = write_yaml(tmp_path, "good.yaml", {"items": [item(code="S002-01", name="另一个事项")]})
    bad = write_yaml(tmp_path, "bad.yaml", {"items": [item(**overrides)]})
    with pytest.raises(CatalogueError) as excinfo:
        services.catalogue_import(actor=None, paths=[good, bad])
    text = "\n".join(excinfo.value.errors)
    assert "bad.yaml" in text and field in text and message in text, text
    # Nothing is half-loaded: not even the good file's item.
    assert ServiceItem.objects.count() == 0
    assert ServiceItemVersion.objects.count() == 0


def test_broken_yaml_and_duplicates_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("items: [\n", encoding="utf-8")
    dup = write_yaml(tmp_path, "dup.yaml", {"items": [item(), item()]})
    with pytest.raises(CatalogueError) as excinfo:
        services.catalogue_import(actor=None, paths=[broken, dup])
    text = "\n".join(excinfo.value.errors)
    assert "broken.yaml: 无法读取 YAML" in text
    assert "重复" in text


def test_draft_publish_and_frozen_versions(tmp_path: Path, django_user_model) -> None:
    services.catalogue_import(
        actor=None, paths=[write_yaml(tmp_path, "a.yaml", {"items": [item()]})]
    )
    entity = ServiceItem.objects.get()
    actor = django_user_model.objects.create(username="admin")
    draft = services.version_create_draft(actor=actor, item=entity)
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert draft.materials.count() == 2 and draft.measures.count() == 1
    with pytest.raises(ValidationError, match="已有未发布的草稿"):
        services.version_create_draft(actor=actor, item=entity)

    draft.promised_limit = 3  # longer than the statutory 1 working day
    draft.save()
    with pytest.raises(ValidationError, match="承诺时限不能超过法定时限"):
        services.version_publish(actor=actor, version=draft)
    draft.promised_limit = "0.5"
    draft.save()
    services.version_publish(actor=actor, version=draft)
    entity.refresh_from_db()
    assert entity.current_id == draft.pk
    with pytest.raises(ValidationError, match="已发布的版本不可更改"):
        services.version_publish(actor=actor, version=draft)
    assert AuditEvent.objects.filter(action="catalogue.version.publish").count() == 1
