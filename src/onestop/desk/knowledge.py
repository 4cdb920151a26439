"""Policy Q&A knowledge base: writes (``article_save``, ``article_from_ticket``,
``article_publish``) and the Chinese search, which reuses the catalogue's text tools (jieba
segmentation with the catalogue's domain words, character bigrams for what jieba splits apart).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.catalogue.models import ServiceItem
from onestop.catalogue.search import bigrams, get_segmenter, normalize
from onestop.core.audit import audit_log

from .choices import TicketState
from .errors import InvalidRequest, NotAllowed
from .models import KnowledgeArticle, Ticket
from .services import _in_scope, _is_staff, staff_may_handle


def _search_text(article: KnowledgeArticle) -> str:
    return normalize(f"{article.title}\n{article.topic}\n{article.body}")


def _check_staff(actor: Any) -> User:
    if not _is_staff(actor) or actor.unit is None:
        raise NotAllowed()
    return cast(User, actor)


@transaction.atomic
def article_save(
    *,
    actor: User,
    title: str,
    body: str,
    topic: str,
    kind: str = KnowledgeArticle.Kind.FAQ,
    items: Iterable[ServiceItem] = (),
    article: KnowledgeArticle | None = None,
    publish: bool = False,
) -> KnowledgeArticle:
    """Create or edit an article (of the officer's unit subtree); ``publish`` makes it public."""
    actor = _check_staff(actor)
    if article is not None and not _in_scope(actor, article.unit):
        raise NotAllowed()
    title, body, topic = title.strip(), body.strip(), topic.strip()
    if not title or not body or not topic:
        raise InvalidRequest(_("请填写标题、主题和正文。"))
    if kind not in KnowledgeArticle.Kind.values:
        raise InvalidRequest()
    created = article is None
    if article is None:
        article = KnowledgeArticle(unit=actor.unit, author=actor)
    article.title, article.body, article.topic, article.kind = title[:200], body, topic[:40], kind
    if publish and article.published_at is None:
        article.published_at = timezone.now()
    if not publish:
        article.published_at = None
    article.search_text = _search_text(article)
    article.save()
    article.items.set(list(items))
    audit_log(
        actor=actor,
        action="desk.article_create" if created else "desk.article_update",
        obj=article,
        unit=article.unit,
        summary={"published": article.is_published},
    )
    return article


@transaction.atomic
def article_from_ticket(*, actor: User, ticket: Ticket) -> KnowledgeArticle:
    """Turn a good desk answer into a draft FAQ: the question and the reply, to be edited (and
    stripped of anything personal) before it is published. Never from an anonymous tip."""
    actor = _check_staff(actor)
    if not staff_may_handle(actor, ticket):
        raise NotAllowed()
    if (
        ticket.anonymous
        or not ticket.reply
        or ticket.state
        not in (
            TicketState.REPLIED,
            TicketState.CLOSED,
        )
    ):
        raise InvalidRequest(_("只有已答复的非匿名工单可以转为问答。"))
    question, answer = gettext("问"), gettext("答")
    article = KnowledgeArticle(
        unit=ticket.unit,
        author=actor,
        kind=KnowledgeArticle.Kind.FAQ,
        topic=ticket.get_kind_display()[:40],
        title=ticket.title[:200],
        body=f"{question}：{ticket.body}\n\n{answer}：{ticket.reply}",
        source_ticket=ticket,
    )
    article.search_text = _search_text(article)
    article.save()
    audit_log(
        actor=actor,
        action="desk.article_from_ticket",
        obj=article,
        unit=ticket.unit,
        summary={"ticket": ticket.number},
    )
    return article


def query_terms(query: str) -> list[str]:
    """The words of a query (jieba, with the catalogue's dictionary), or its bigrams."""
    text = normalize(query).strip()
    if not text:
        return []
    words = [w for w in get_segmenter().words(text) if len(w) >= 2 or not w.isascii()]
    return list(dict.fromkeys(words)) or [g[-2:] for g in bigrams(text)] or [text]


def article_search(query: str, *, limit: int = 50) -> list[KnowledgeArticle]:
    """Published articles matching the query, best first: every word must occur (a word jieba
    does not know may occur as its bigrams); title matches count more."""
    published = KnowledgeArticle.objects.filter(published_at__isnull=False)
    terms = query_terms(query)
    if not terms:
        return list(published.order_by("-published_at")[:limit])
    scored = []
    for article in published.prefetch_related("items"):
        text, title = article.search_text, normalize(article.title)
        score = 0
        for term in terms:
            if term in text:
                score += 3 if term in title else 1
            elif len(term) > 2 and all(g[-2:] in text for g in bigrams(term)):
                score += 1
            else:
                score = 0
                break
        if score:
            scored.append((score, article))
    scored.sort(key=lambda pair: (-pair[0], -(pair[1].published_at or timezone.now()).timestamp()))
    return [article for _score, article in scored[:limit]]


def articles_for_item(item: ServiceItem) -> QuerySet[KnowledgeArticle]:
    return KnowledgeArticle.objects.filter(published_at__isnull=False, items=item)
