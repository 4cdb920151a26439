"""Catalogue search: the engine on a small fixture corpus, the cached catalogue index, and the
issue's real-world queries against the shipped catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.accounts import services as account_services
from onestop.accounts.choices import UnitKind
from onestop.accounts.models import Unit
from onestop.catalogue import search, services
from onestop.catalogue.search import SearchDocument, SearchHit, SearchIndex, Segmenter
from onestop.demo.units import TREES, UnitSpec

from .conftest import item, write_yaml

# -- a fixture corpus ---------------------------------------------------------------------------
# (code, region, level, name, short_name, keywords, category, summary, materials)
ROWS = [
    (
        "S001-01",
        "120000",
        "city",
        "新设立企业公章刻制",
        "公章刻制",
        "刻章 公章 印章 刻制",
        "治安",
        "新设立企业凭法定代表人身份证号在线选择刻章企业，免费刻制公章。",
        "营业执照 法定代表人居民身份证",
    ),
    (
        "S001-01",
        "450000",
        "province",
        "新开办企业印章刻制",
        "刻章",
        "刻章 公章 印章",
        "治安",
        "新开办企业在线申请刻制印章。",
        "营业执照",
    ),
    (
        "L003-01",
        "120000",
        "city",
        "公章刻制业特种行业许可证核发",
        "刻章业许可",
        "印章业 刻章店",
        "治安",
        "开办公章刻制经营企业的特种行业许可。",
        "营业执照 经营场所证明 技术人员名单",
    ),
    (
        "S003-01",
        "120000",
        "city",
        "印章信息查验",
        "印章查验",
        "印章真伪 核验",
        "治安",
        "查验印章是否经公安机关备案。",
        "",
    ),
    (
        "C010-01",
        "120000",
        "station",
        "居民身份证首次申领",
        "身份证申领",
        "身份证 办证",
        "户政",
        "年满十六周岁的公民申领居民身份证。",
        "居民户口簿",
    ),
    (
        "C010-02",
        "120000",
        "station",
        "居民身份证换领",
        "身份证换领",
        "身份证 到期 换证",
        "户政",
        "居民身份证有效期满或损坏的换领。",
        "原居民身份证",
    ),
    (
        "C010-03",
        "120000",
        "station",
        "居民身份证补领",
        "身份证补领",
        "身份证 丢失 补办 挂失",
        "户政",
        "居民身份证丢失后补领。",
        "居民户口簿",
    ),
    (
        "C011-01",
        "120000",
        "station",
        "居住证申领",
        "居住证",
        "居住证 居住登记",
        "户政",
        "在居住地居住半年以上的流动人口申领居住证。",
        "居民身份证 住所证明",
    ),
    (
        "C011-02",
        "450000",
        "station",
        "居住证签注",
        "居住证签注",
        "居住证 续签",
        "户政",
        "居住证每年签注一次。",
        "居住证",
    ),
    (
        "F020-01",
        "120000",
        "station",
        "境外人员临时住宿登记",
        "境外人员住宿登记",
        "住宿申报",
        "出入境",
        "境外人员在旅馆以外住宿的，应在24小时内申报住宿登记。",
        "护照 住宿地址证明",
    ),
    (
        "L030-01",
        "120000",
        "city",
        "占用、挖掘道路施工交通安全审查",
        "挖掘道路审查",
        "挖路 管线",
        "交管",
        "因工程建设需要占用、挖掘道路的，施工前征得公安交通管理部门同意。",
        "施工方案 交通组织方案",
    ),
    (
        "C040-01",
        "120000",
        "city",
        "机动车驾驶证期满换证",
        "驾驶证换证",
        "驾驶证有效期满",
        "交管",
        "机动车驾驶证有效期满前九十日内申请换证。",
        "机动车驾驶证 身体条件证明",
    ),
    (
        "C040-02",
        "120000",
        "city",
        "机动车驾驶证补领",
        "驾驶证补领",
        "补证",
        "交管",
        "驾驶证遗失的申请补领。",
        "居民身份证",
    ),
    (
        "C040-03",
        "120000",
        "city",
        "驾驶人提交身体条件证明",
        "提交体检证明",
        "审验",
        "交管",
        "年龄在70周岁以上的驾驶人每年提交身体条件证明。",
        "身体条件证明",
    ),
    ("C040-04", "120000", "city", "驾照补办预约", "", "", "交管", "", ""),
    (
        "C041-01",
        "120000",
        "city",
        "机动车检验合格标志核发",
        "检验标志",
        "六年免检",
        "交管",
        "机动车安全技术检验合格后核发检验合格标志。",
        "机动车行驶证 交强险保单",
    ),
    (
        "L050-01",
        "120000",
        "city",
        "互联网上网服务营业场所信息网络安全审核",
        "上网服务场所审核",
        "",
        "网安",
        "开办上网服务营业场所的信息网络安全审核。",
        "营业执照 消防安全检查合格证明",
    ),
    (
        "S060-01",
        "120000",
        "station",
        "高校毕业生落户",
        "",
        "户口迁入",
        "户政",
        "全日制高校毕业生在津落户。",
        "毕业证书",
    ),
    (
        "S060-02",
        "120000",
        "station",
        "人才引进落户",
        "人才落户",
        "人才 落户",
        "户政",
        "引进人才办理落户。",
        "人才认定证明",
    ),
    (
        "S060-03",
        "120000",
        "station",
        "夫妻投靠落户",
        "配偶投靠",
        "配偶 子女",
        "户政",
        "与本市户籍居民结婚的配偶及其子女投靠落户。",
        "结婚证",
    ),
    (
        "L070-01",
        "450000",
        "province",
        "往来港澳通行证商务签注",
        "港澳商务签注",
        "港澳 签注 商务",
        "出入境",
        "企业人员赴港澳从事商务活动的签注。",
        "往来港澳通行证 企业营业执照",
    ),
    (
        "L072-01",
        "450000",
        "province",
        "保安服务公司设立许可",
        "",
        "保安服务",
        "治安",
        "设立保安服务公司的许可。",
        "注册资本证明",
    ),
    (
        "S074-01",
        "450100",
        "county",
        "民宿开业前消防安全检查",
        "民宿消防检查",
        "民宿 农家乐 消防",
        "消防",
        "民宿经营者在开业前申请消防安全检查。",
        "营业执照",
    ),
    (
        "L090-01",
        "450000",
        "province",
        "特殊建设工程消防设计审查",
        "",
        "消防审核",
        "消防",
        "特殊建设工程的消防设计审查。",
        "设计文件",
    ),
    (
        "O080-01",
        "120000",
        "city",
        "企业信用修复",
        "信用修复",
        "失信",
        "监管",
        "受到行政处罚的企业整改后申请信用修复。",
        "整改报告",
    ),
]


def corpus() -> list[SearchDocument]:
    return [
        SearchDocument(
            version_id=i + 1,
            item_id=i + 1,
            code=c,
            region_code=r,
            level=lv,
            name=n,
            short_name=sn,
            keywords=kw,
            category=cat,
            summary=summ,
            materials=mat,
            legal_basis="《中华人民共和国治安管理处罚法》",
        )
        for i, (c, r, lv, n, sn, kw, cat, summ, mat) in enumerate(ROWS)
    ]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    # its own segmenter: the words other indexes add to the shared one must not change results
    return SearchIndex(corpus(), segmenter=Segmenter())


def names(index: SearchIndex, hits: list[SearchHit]) -> list[str]:
    by_version = {d.version_id: d.name for d in index.documents}
    return [by_version[h.version_id] for h in hits]


# -- the engine -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_top"),
    [
        ("公章刻制", "新设立企业公章刻制"),
        ("居住证", "居住证申领"),
        ("暂住证", "居住证申领"),  # one-way synonym: the old name
        ("怎么办理居住证", "居住证申领"),  # question words are ignored
        ("外国人住宿", "境外人员临时住宿登记"),  # 外国人 ~ 境外人员, 住宿 ~ 住宿登记
        ("占道施工", "占用、挖掘道路施工交通安全审查"),  # 占道施工 ~ 道路施工
        ("驾驶证到期", "机动车驾驶证期满换证"),  # 到期 ~ 期满 / 换证
        ("身份证丢了", "居民身份证补领"),  # 丢了 ~ 补领, 身份证 ~ 居民身份证
        ("网吧", "互联网上网服务营业场所信息网络安全审核"),
        ("营业场所", "互联网上网服务营业场所信息网络安全审核"),  # part of a long word
        ("大学生 落户", "高校毕业生落户"),
        ("港澳商务签注", "往来港澳通行证商务签注"),
        ("保安公司", "保安服务公司设立许可"),
        ("民宿 消防", "民宿开业前消防安全检查"),
        ("消防审查", "特殊建设工程消防设计审查"),
        ("随迁 配偶", "夫妻投靠落户"),
        ("年检", "机动车检验合格标志核发"),
        ("体检 驾驶证", "驾驶人提交身体条件证明"),
        ("印章查验", "印章信息查验"),
        ("信用修复", "企业信用修复"),
        ("ＳＨＯＵ 信用修复！！", "企业信用修复"),  # full-width letters and punctuation
    ],
)
def test_query_finds_the_right_item_first(
    index: SearchIndex, query: str, expected_top: str
) -> None:
    hits = index.search(query)
    assert hits, f"{query}: no hits"
    assert names(index, hits)[0] == expected_top, names(index, hits)[:3]


def test_seal_engraving_synonyms_find_both_regions_items_before_the_licence(
    index: SearchIndex,
) -> None:
    for query in ("刻章", "公章", "印章刻制"):
        top = names(index, index.search(query, limit=2))
        assert set(top) == {"新设立企业公章刻制", "新开办企业印章刻制"}, (query, top)


def test_a_typed_word_outranks_its_synonym(index: SearchIndex) -> None:
    # 驾照 is typed: the item named with 驾照 comes before the ones named with 驾驶证
    top = names(index, index.search("驾照补办"))
    assert top[0] == "驾照补办预约"
    assert "机动车驾驶证补领" in top[1:3]


def test_domain_words_are_kept_whole_by_the_segmenter() -> None:
    segmenter = Segmenter()
    assert segmenter.words("刻章") == ["刻", "章"]  # jieba's own dictionary splits it
    SearchIndex(corpus(), segmenter=segmenter)
    assert segmenter.words("刻章") == ["刻章"]  # a keyword and synonym of the catalogue
    assert "公章刻制" in segmenter.words("新设立企业公章刻制")
    assert "居住证" in segmenter.words("居住证申领")
    assert "驾驶证" in segmenter.search_words("机动车驾驶证期满换证")


def test_a_single_character_still_finds_items(index: SearchIndex) -> None:
    assert set(names(index, index.search("刻", limit=3))) >= {"新设立企业公章刻制"}


@pytest.mark.parametrize("query", ["", "   ", "！？。,.", "\x00", "的 了 吗", "《》——"])
def test_empty_punctuation_or_stopword_queries_return_nothing(
    index: SearchIndex, query: str
) -> None:
    assert index.search(query) == []


def test_region_filter_keeps_the_province_and_its_bureaus(index: SearchIndex) -> None:
    tianjin = index.search("刻章", region="120000")
    assert tianjin and {index.documents[h.version_id - 1].region_code for h in tianjin} == {
        "120000"
    }
    assert names(index, tianjin)[0] == "新设立企业公章刻制"
    guangxi = index.search("刻章", region="450000")
    assert names(index, guangxi)[0] == "新开办企业印章刻制"
    # Nanning (450100) sees its own items and the regional department's (450000)
    nanning = {
        index.documents[h.version_id - 1].region_code for h in index.search("消防", region="450100")
    }
    assert nanning == {"450100", "450000"}
    # a district of Tianjin sees the municipal bureau's items, not Guangxi's
    assert names(index, index.search("刻章", region="120101"))[0] == "新设立企业公章刻制"
    assert index.search("民宿", region="120000") == []
    assert index.search("刻章", region="not-a-code") == []


def test_level_filter(index: SearchIndex) -> None:
    hits = index.search("居住证", level="station")
    assert names(index, hits)[:2] == ["居住证申领", "居住证签注"]
    assert {
        index.documents[h.version_id - 1].level for h in index.search("消防", level="province")
    } == {"province"}
    assert index.search("居住证", level="province") == []


def test_limit_and_order(index: SearchIndex) -> None:
    hits = index.search("身份证", limit=2)
    assert len(hits) == 2
    assert hits[0].score >= hits[1].score
    assert index.search("身份证", limit=0) == []
    everything = index.search("证")
    assert [h.score for h in everything] == sorted((h.score for h in everything), reverse=True)


def test_highlights_are_the_matched_words_in_the_name(index: SearchIndex) -> None:
    hit = index.search("身份证丢了")[0]
    assert set(hit.highlights) == {"居民身份证", "补领"}
    assert all(term in "居民身份证补领" for term in hit.highlights)


def test_an_empty_corpus_finds_nothing() -> None:
    assert SearchIndex([]).search("刻章") == []


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.text(max_size=300),
    region=st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["120000", "450100", "1"])),
    level=st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["city", "station"])),
    limit=st.integers(min_value=-5, max_value=50),
)
def test_no_input_raises(
    index: SearchIndex, query: str, region: str | None, level: str | None, limit: int
) -> None:
    hits = index.search(query, region=region, level=level, limit=limit)
    assert isinstance(hits, list) and len(hits) <= max(limit, 0)
    assert all(isinstance(h, SearchHit) for h in hits)


# -- the cached catalogue index -------------------------------------------------------------------


@pytest.mark.usefixtures("catalogue_units", "measures")
def test_search_items_follows_the_published_catalogue(tmp_path: Path) -> None:
    search.search_index_reset()
    path = write_yaml(
        tmp_path,
        "a.yaml",
        {
            "items": [
                item(),
                item(
                    code="L002-01",
                    name="旅馆业特种行业许可证核发",
                    short_name="旅馆业许可",
                    keywords=["旅馆", "宾馆"],
                    item_type="licence",
                    unit="GX-ZAZD",
                    level="province",
                    result={"type": "certificate", "name": "特种行业许可证"},
                    legal_basis="《旅馆业治安管理办法》",
                ),
            ]
        },
    )
    services.catalogue_import(actor=None, paths=[path])
    first = search.search_items("刻章")
    assert search.catalogue_index() is search.catalogue_index()  # cached while nothing changes
    assert len(first) == 1
    seal_v1 = first[0].version_id
    assert search.search_items("宾馆", region="450000")[0].version_id != seal_v1
    assert search.search_items("宾馆", region="120000") == []
    assert search.search_items("刻章", level="province") == []
    assert search.search_items("？？") == []
    assert search.search_items("\ud800刻章", region="12", level="城市", limit=5) == []
    assert search.search_items("刻章", limit=-1) == []

    # a new published version replaces the old one in the index, without a restart
    write_yaml(tmp_path, "a.yaml", {"items": [item(name="企业开办公章刻制（免费）")]})
    services.catalogue_import(actor=None, paths=[path])
    hits = search.search_items("免费刻章")
    assert hits[0].version_id != seal_v1
    assert "免费" in hits[0].highlights
    assert seal_v1 not in {h.version_id for h in search.search_items("刻章")}


# -- the shipped catalogue --------------------------------------------------------------------


def _load_units(spec: UnitSpec, parent: Unit | None) -> None:
    unit = account_services.unit_create(
        actor=None,
        code=spec["code"],
        name=spec["name"],
        kind=spec["kind"],
        region_code=spec["region_code"],
        parent=parent,
        short_name=spec.get("short_name", ""),
    )
    for child in spec.get("children", []):
        _load_units(child, unit)


def _create_missing_units() -> None:
    """Units the shipped YAML names that the demo tree lacks (e.g. fire-rescue units) are created
    under their nearest listed parent (GX-NN-XF under GX-NN), in the parent's region."""
    wanted: set[str] = set()
    for path in services.shipped_files():
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for kind in ("items", "proofs", "no_penalty", "inspections"):
            wanted |= {str(row["unit"]) for row in document.get(kind) or [] if row.get("unit")}
    existing = set(Unit.objects.values_list("code", flat=True))
    for code in sorted(wanted - existing, key=len):
        parts = code.split("-")
        parent = next(
            Unit.objects.get(code="-".join(parts[:n]))
            for n in range(len(parts) - 1, 0, -1)
            if "-".join(parts[:n]) in existing
        )
        account_services.unit_create(
            actor=None,
            code=code,
            name=code,
            kind=UnitKind.CORPS,
            region_code=parent.region_code,
            parent=parent,
        )
        existing.add(code)


@pytest.fixture(scope="module")
def shipped(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SearchIndex]:
    """The shipped catalogue, imported once for the module and rolled back afterwards."""
    if not services.shipped_files():
        pytest.fail("the shipped catalogue (src/onestop/catalogue/data/*.yaml) is missing")
    with django_db_blocker.unblock(), transaction.atomic():
        for tree in TREES:
            _load_units(tree, None)
        _create_missing_units()
        call_command("policy_load", verbosity=0)
        services.catalogue_import(actor=None)
        documents = search.catalogue_documents()
        transaction.set_rollback(True)
    yield SearchIndex(documents)


def _codes(*codes: str) -> Any:
    return lambda d: d.code in codes


def _name(*parts: str) -> Any:
    return lambda d: all(p in d.name for p in parts)


#: (query, what the top hit must be, whether two regions have it). Where two regions have the
#: item, the top hit must be one of them, and with region 120000 / 450000 the Tianjin / Guangxi one.
SHIPPED_QUERIES: list[Any] = [
    ("刻章", _codes("S001-01"), True),
    ("居住证", _codes("S020-01"), True),
    ("暂住证", _codes("S020-01"), True),
    ("外国人住宿", _codes("F032-01"), False),
    ("占道施工", _codes("L020-01", "L020-02"), True),
    ("驾驶证到期", _codes("L021-01"), True),
    ("身份证丢了", _name("身份证", "补领"), False),
    ("网吧", _codes("L003-01"), False),
    ("落户 大学生", _codes("S010-02"), False),
    ("港澳商务签注", _codes("L030-01"), False),
    ("易制毒", _codes("L006-01"), False),
    ("保安公司", _codes("L004-01"), False),
    ("旅馆", _codes("L001-01"), True),
    ("民宿 消防", _codes("S030-01"), False),
    ("金库", _codes("L007-01", "L007-02"), False),
    ("信用修复", _codes("O001-01"), False),
    ("员工身份核验", _codes("S041-01", "S041-02"), False),
    ("放射性 运输", _codes("L005-01"), False),
    ("选号", _codes("S060-01"), False),
    ("年检", _codes("C062-01", "C062-02", "C062-03"), False),
    ("体检 驾驶证", _codes("S061-01"), False),
    ("消防设计审查", _codes("L009-01"), False),
    ("永久居留", _codes("L033-01"), False),
    ("绿卡", _codes("L033-01"), False),
    ("集体户", _codes("S010-05", "S010-06"), False),
    ("随迁", _codes("S010-04"), False),
    ("投靠 配偶子女", _codes("S010-04"), False),
    ("户口迁移", _codes("S010-07"), False),
    ("外国留学生 创业 居留", _name("留学生", "创业"), False),
    ("印章查验", _codes("S001-02"), False),
    ("公章丢了", _codes("S001-03"), False),
    ("开刻章店", _codes("L002-01"), False),
    ("案件进度", _codes("S042-01"), False),
    ("投诉", _codes("S044-01", "S040-02"), False),
    ("护照", _codes("L034-01"), False),
    ("驾照丢了", _codes("L021-02"), False),
    ("考驾照", _codes("L021-03"), False),
    ("网站备案", _codes("F070-01"), False),
    ("大额现金 押运", _codes("S045-01"), False),
]


@pytest.mark.django_db  # makes pytest-django create the test database before ``shipped``
@pytest.mark.parametrize(
    ("query", "expected", "two_regions"),
    SHIPPED_QUERIES,
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_shipped_catalogue_answers_real_queries(
    shipped: SearchIndex, query: str, expected: Any, two_regions: bool
) -> None:
    docs = {d.version_id: d for d in shipped.documents}

    def top(**filters: Any) -> list[SearchDocument]:
        return [docs[h.version_id] for h in shipped.search(query, limit=3, **filters)]

    hits = top()
    assert hits and expected(hits[0]), [(d.code, d.name, d.region_code) for d in hits]
    if two_regions:
        for region in ("120000", "450000"):
            regional = top(region=region)
            assert regional and expected(regional[0]), (region, regional)
            assert regional[0].region_code[:2] == region[:2], (region, regional)
