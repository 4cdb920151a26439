from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from onestop.core.models import AuditEvent
from onestop.policy.choices import MeasureStatus
from onestop.policy.loader import DATA_DIR, deadline_date
from onestop.policy.models import Commitment, Measure, MeasurePart, PolicyDocument

pytestmark = pytest.mark.django_db


def test_all_measures_load_with_their_numbers(policy_loaded: None) -> None:
    assert set(PolicyDocument.objects.values_list("key", flat=True)) == {
        "tianjin-2021",
        "guangxi-2018",
    }
    tianjin = Measure.objects.filter(document__key="tianjin-2021")
    guangxi = Measure.objects.filter(document__key="guangxi-2018")
    assert sorted(tianjin.values_list("number", flat=True)) == list(range(1, 21))
    assert sorted(guangxi.values_list("number", flat=True)) == list(range(1, 51))
    assert PolicyDocument.objects.get(key="guangxi-2018").region_code == "450000"
    assert PolicyDocument.objects.get(key="tianjin-2021").date == datetime.date(2021, 1, 19)


def test_measure_fields_follow_the_seed_text(policy_loaded: None) -> None:
    m1 = Measure.objects.get(document__key="tianjin-2021", number=1)
    assert m1.title == "创建线上“服务企业直通车”"
    assert m1.section == "一、助力企业创业发展"
    assert m1.deadline_text == "2021年3月"
    assert m1.deadline_date == datetime.date(2021, 3, 31)
    assert m1.responsible_units == ["指挥中心"]
    assert m1.citation == "tianjin-2021#1"

    m3 = Measure.objects.get(document__key="tianjin-2021", number=3)
    assert m3.lead_units == ["人口管理总队"]
    assert m3.responsible_units == ["指挥中心"]

    m2 = Measure.objects.get(document__key="tianjin-2021", number=2)
    assert m2.deadline_text == "长期坚持"
    assert m2.deadline_date is None
    assert m2.status == MeasureStatus.ONGOING

    m7 = Measure.objects.get(document__key="tianjin-2021", number=7)
    assert m7.deadline_text == "按照国务院办公厅部署推进"
    assert m7.deadline_date is None
    assert m7.responsible_units == ["治安管理总队", "网安总队"]

    g11 = Measure.objects.get(document__key="guangxi-2018", number=11)
    assert g11.title == "积极推进“一次办”"
    assert g11.section == "二、优化审批服务"
    assert g11.deadline_date == datetime.date(2018, 12, 31)
    g50 = Measure.objects.get(document__key="guangxi-2018", number=50)
    assert g50.section == "五、狠抓督察保障"
    assert g50.title == "营造优化营商环境良好氛围"


def test_measures_with_sub_parts_keep_each_deadline_and_units(policy_loaded: None) -> None:
    m8 = Measure.objects.get(document__key="tianjin-2021", number=8)
    parts = list(m8.parts.order_by("number"))
    assert [p.deadline_text for p in parts] == ["2021年6月", "2021年12月", "2021年12月"]
    assert parts[0].lead_units == ["内保总队"]
    assert parts[1].lead_units == ["科信总队"]
    assert parts[2].responsible_units == ["法制总队"]
    # the measure ends with its last part
    assert m8.deadline_date == datetime.date(2021, 12, 31)
    m11 = Measure.objects.get(document__key="tianjin-2021", number=11)
    credit = m11.parts.get(number=2)
    assert credit.deadline_date == datetime.date(2021, 7, 31)
    assert "10个工作日" in credit.summary
    assert (
        MeasurePart.objects.filter(
            measure__document__key="tianjin-2021", measure__number=19
        ).count()
        == 2
    )


def test_every_commitment_cites_a_real_measure_and_quotes_it(policy_loaded: None) -> None:
    assert Commitment.objects.count() >= 30
    for c in Commitment.objects.select_related("measure__document"):
        assert c.citation == f"{c.measure.document.key}#{c.measure.number}"
        assert c.source_quote.replace(" ", "") in c.measure.summary.replace("\n", "")
        assert c.description and c.measured_by


EXPECTED = [
    # code, citation, metric, comparator, value, unit
    (
        "seal-engraving-half-day",
        "tianjin-2021#4",
        "item_processing_time",
        "<=",
        "0.5",
        "working_days",
    ),
    (
        "seal-engraving-one-day",
        "guangxi-2018#25",
        "item_processing_time",
        "<=",
        "1",
        "working_days",
    ),
    (
        "share-items-max-one-visit-80",
        "guangxi-2018#11",
        "share_items_max_one_visit",
        ">=",
        "80",
        "percent",
    ),
    ("share-items-online-80", "guangxi-2018#12", "share_items_online", ">=", "80", "percent"),
    ("hall-waiting-1h", "guangxi-2018#14", "hall_waiting_time", "<=", "1", "hours"),
    (
        "complaint-response-7wd",
        "guangxi-2018#49",
        "complaint_response_time",
        "<=",
        "7",
        "working_days",
    ),
    (
        "credit-repair-review-10wd",
        "tianjin-2021#11",
        "credit_repair_review_time",
        "<=",
        "10",
        "working_days",
    ),
    (
        "fire-design-review-3wd",
        "guangxi-2018#21",
        "fire_design_review_time",
        "<=",
        "3",
        "working_days",
    ),
    (
        "id-card-pickup-urban-15wd",
        "guangxi-2018#26",
        "id_card_cycle_pickup_urban",
        "<=",
        "15",
        "working_days",
    ),
    (
        "id-card-pickup-remote-18wd",
        "guangxi-2018#26",
        "id_card_cycle_pickup_remote",
        "<=",
        "18",
        "working_days",
    ),
    (
        "id-card-courier-urban-8wd",
        "guangxi-2018#26",
        "id_card_cycle_courier_urban",
        "<=",
        "8",
        "working_days",
    ),
    (
        "id-card-courier-rural-10wd",
        "guangxi-2018#26",
        "id_card_cycle_courier_rural",
        "<=",
        "10",
        "working_days",
    ),
    ("fees-payable-online", "guangxi-2018#18", "fees_payable_online", ">=", "100", "percent"),
    ("desk-intake-24h", "tianjin-2021#1", "desk_intake_hours", ">=", "24", "hours"),
    ("weekend-service-5-2", "guangxi-2018#35", "weekend_service_days", ">=", "2", "count"),
    (
        "road-occupation-commitment-200m",
        "tianjin-2021#13",
        "commitment_in_lieu_of_review",
        "==",
        "1",
        "boolean",
    ),
    (
        "foreign-graduate-residence-2-5-years",
        "tianjin-2021#16",
        "foreigner_residence_permit_years",
        "between",
        "2",
        "years",
    ),
    ("expiry-sms-reminders", "guangxi-2018#27", "expiry_sms_reminder", "==", "1", "boolean"),
    (
        "key-enterprise-visits-quarterly",
        "guangxi-2018#45",
        "key_enterprise_visits",
        ">=",
        "1",
        "count",
    ),
    (
        "department-licences-max-one-visit-25",
        "guangxi-2018#11",
        "items_max_one_visit_count",
        ">=",
        "25",
        "count",
    ),
    (
        "residence-permit-no-wait",
        "guangxi-2018#24",
        "residence_registration_wait",
        "==",
        "0",
        "months",
    ),
    (
        "residence-permit-by-commitment",
        "tianjin-2021#3",
        "residence_permit_by_commitment",
        "==",
        "1",
        "boolean",
    ),
    (
        "driving-exam-county-50pct",
        "guangxi-2018#30",
        "share_exams_county_level",
        ">=",
        "50",
        "percent",
    ),
]


@pytest.mark.parametrize(("code", "citation", "metric", "comparator", "value", "unit"), EXPECTED)
def test_listed_commitments_exist(
    policy_loaded: None,
    code: str,
    citation: str,
    metric: str,
    comparator: str,
    value: str,
    unit: str,
) -> None:
    c = Commitment.objects.get(code=code)
    assert c.citation == citation
    assert (c.metric, c.comparator, c.unit) == (metric, comparator, unit)
    assert c.value == Decimal(value)


def test_commitment_details(policy_loaded: None) -> None:
    fire = Commitment.objects.get(code="fire-design-review-3wd")
    assert fire.baseline_value == Decimal(20)
    assert fire.target_display == "≤ 3 个工作日"
    assert fire.is_met_by(3) and not fire.is_met_by(4)
    permit = Commitment.objects.get(code="foreign-graduate-residence-2-5-years")
    assert permit.value_max == Decimal(5)
    assert permit.is_met_by(5) and not permit.is_met_by(6)
    road = Commitment.objects.get(code="road-occupation-commitment-200m")
    assert road.scope["conditions"]["max_length_m"] == 200
    assert Commitment.objects.get(code="share-items-online-80").due_date == datetime.date(
        2018, 12, 31
    )
    assert Commitment.objects.get(code="seal-engraving-half-day").target_display == "≤ 0.5 个工作日"


def test_reload_is_idempotent_and_keeps_status(policy_loaded: None) -> None:
    measure = Measure.objects.get(document__key="tianjin-2021", number=4)
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.DONE, percent=100)
    counts = (Measure.objects.count(), MeasurePart.objects.count(), Commitment.objects.count())
    out = StringIO()
    call_command("policy_load", stdout=out)
    assert "0 measures created, 70 updated" in out.getvalue()
    assert (
        Measure.objects.count(),
        MeasurePart.objects.count(),
        Commitment.objects.count(),
    ) == counts
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
    assert AuditEvent.objects.filter(action="policy.data_load").count() == 2


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _refused(data_dir: Path) -> str:
    with pytest.raises(CommandError) as info:
        call_command("policy_load", data_dir=data_dir, verbosity=0)
    assert Measure.objects.count() == 0
    assert PolicyDocument.objects.count() == 0
    assert Commitment.objects.count() == 0
    return str(info.value)


def test_missing_title_is_refused_naming_file_and_measure(data_copy: Path) -> None:
    _replace(data_copy / "measures" / "guangxi-2018.yaml", '    title: "开通短信提醒服务"\n', "")
    message = _refused(data_copy)
    assert "guangxi-2018.yaml" in message
    assert "guangxi-2018#27" in message
    assert "title" in message


def test_unknown_document_is_refused(data_copy: Path) -> None:
    _replace(
        data_copy / "measures" / "tianjin-2021.yaml",
        "document: tianjin-2021",
        "document: tianjin-2099",
    )
    message = _refused(data_copy)
    assert "tianjin-2021.yaml" in message
    assert "tianjin-2099" in message


def test_commitment_without_description_is_refused(data_copy: Path) -> None:
    _replace(
        data_copy / "commitments.yaml",
        '    description: "新设立企业0.5个工作日内完成公章刻制。"\n',
        "",
    )
    message = _refused(data_copy)
    assert "commitments.yaml" in message
    assert "seal-engraving-half-day" in message
    assert "tianjin-2021#4" in message
    assert "description" in message


def test_commitment_citing_missing_measure_or_misquoting_is_refused(data_copy: Path) -> None:
    _replace(data_copy / "commitments.yaml", "measure: guangxi-2018#49", "measure: guangxi-2018#51")
    _replace(
        data_copy / "commitments.yaml",
        "确保新设立企业0.5个工作日完成公章刻制",
        "确保新设立企业0.3个工作日完成公章刻制",
    )
    message = _refused(data_copy)
    assert "guangxi-2018#51" in message
    assert "source_quote" in message


def test_bad_data_leaves_previous_load_untouched(policy_loaded: None, data_copy: Path) -> None:
    _replace(
        data_copy / "measures" / "tianjin-2021.yaml",
        '    title: "创建线上“服务企业直通车”"',
        '    title: "改过的标题"',
    )
    _replace(data_copy / "commitments.yaml", "unit: hours", "unit: fortnights")
    with pytest.raises(CommandError, match="fortnights"):
        call_command("policy_load", data_dir=data_copy, verbosity=0)
    assert Measure.objects.get(document__key="tianjin-2021", number=1).title == (
        "创建线上“服务企业直通车”"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年3月", datetime.date(2021, 3, 31)),
        ("2021年2月", datetime.date(2021, 2, 28)),
        ("2022年6月", datetime.date(2022, 6, 30)),
        ("2018年底前", datetime.date(2018, 12, 31)),
        ("长期坚持", None),
        ("按照国务院办公厅部署推进", None),
        ("", None),
    ],
)
def test_deadline_date(text: str, expected: datetime.date | None) -> None:
    assert deadline_date(text) == expected


def test_deadline_date_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        deadline_date("2021年13月")
