"""Policy Q&A: officers write and publish articles, turn a desk answer into one; the public
searches them in Chinese."""

from __future__ import annotations

import pytest
from conftest import login_verified
from django.test import Client

from onestop.cases.tests.factories import item_version
from onestop.desk import knowledge, services
from onestop.desk.errors import InvalidRequest, NotAllowed
from onestop.desk.models import KnowledgeArticle

from .conftest import DeskWorld

pytestmark = pytest.mark.django_db


def _article(dw: DeskWorld, title: str, body: str, **kw: object) -> KnowledgeArticle:
    return knowledge.article_save(
        actor=dw.officer, title=title, body=body, topic="治安管理", publish=True, **kw
    )  # type: ignore[arg-type]


def test_chinese_search_finds_words_and_ranks_title_matches_first(dw: DeskWorld) -> None:
    hotel = _article(dw, "旅馆业特种行业许可证怎么办", "需要提交消防验收合格证明和营业执照。")
    seal = _article(dw, "公章刻制备案", "刻制公章后一个工作日内备案，旅馆业企业同样适用。")
    _article(dw, "出入境证件", "护照和港澳通行证的办理。")
    draft = knowledge.article_save(
        actor=dw.officer, title="旅馆业草稿", body="未发布", topic="治安管理"
    )
    assert [a.pk for a in knowledge.article_search("旅馆业")] == [hotel.pk, seal.pk]
    assert [a.pk for a in knowledge.article_search("特种行业 许可证")] == [hotel.pk]
    assert knowledge.article_search("不存在的内容") == []
    assert draft.pk not in [a.pk for a in knowledge.article_search("草稿")]
    page = Client().get("/desk/kb/", {"q": "旅馆业"}).content.decode()
    assert "旅馆业特种行业许可证怎么办" in page and "旅馆业草稿" not in page
    assert Client().get(f"/desk/kb/{draft.pk}/").status_code == 404


def test_article_links_service_items(dw: DeskWorld) -> None:
    version = item_version(unit=dw.units["station1"])
    article = _article(dw, "办事指南", "见相关事项", items=[version.item])
    page = Client().get(f"/desk/kb/{article.pk}/").content.decode()
    assert version.name in page
    assert list(knowledge.articles_for_item(version.item)) == [article]


def test_turn_a_desk_answer_into_a_draft(dw: DeskWorld) -> None:
    ticket = services.ticket_submit(
        actor=dw.boss.user,
        kind="policy",
        title="外地员工居住证怎么办",
        body="我司外地员工如何办居住证？",
        enterprise=dw.enterprise,
    )
    with pytest.raises(InvalidRequest):  # not answered yet
        knowledge.article_from_ticket(actor=dw.officer, ticket=ticket)
    services.ticket_reply(actor=dw.officer, ticket=ticket, reply="居住满半年可申领，网上可办。")
    with pytest.raises(NotAllowed):
        knowledge.article_from_ticket(actor=dw.outsider, ticket=ticket)
    client = login_verified(Client(), dw.officer)
    response = client.post(f"/work/desk/{ticket.number}/to-article/")
    article = KnowledgeArticle.objects.get()
    assert response.status_code == 302 and response.url == f"/work/desk/kb/{article.pk}/"
    assert not article.is_published and article.source_ticket == ticket
    assert "居住满半年可申领" in article.body
    response = client.post(
        f"/work/desk/kb/{article.pk}/",
        {
            "kind": "faq",
            "topic": "户政",
            "title": "企业外地员工如何办理居住证",
            "body": "问：外地员工如何办居住证？\n答：居住满半年可申领，网上可办。",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    assert [a.title for a in knowledge.article_search("居住证")] == ["企业外地员工如何办理居住证"]


def test_anonymous_tips_never_become_articles(dw: DeskWorld) -> None:
    tip = services.ticket_submit(
        actor=dw.boss.user, kind="tip", title="t", body="b", anonymous=True, region_code="120101"
    )
    services.ticket_reply(actor=dw.officer, ticket=tip, reply="已查")
    with pytest.raises(InvalidRequest):
        knowledge.article_from_ticket(actor=dw.officer, ticket=tip)
