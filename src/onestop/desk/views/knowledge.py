"""Policy Q&A pages: the public search and article pages; staff write, edit and publish
articles and turn a desk answer into a draft."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import User
from onestop.accounts.selectors import scope_queryset
from onestop.workbench.permissions import staff_required

from .. import knowledge, selectors
from ..errors import DeskError
from ..forms import ArticleForm
from ..models import KnowledgeArticle


def kb_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "desk/public/kb.html",
        {"query": query, "articles": knowledge.article_search(query)},
    )


def kb_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = (
        KnowledgeArticle.objects.filter(pk=pk, published_at__isnull=False)
        .prefetch_related("items__current")
        .first()
    )
    if article is None:
        raise Http404
    return render(request, "desk/public/kb_article.html", {"article": article})


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


@staff_required
def kb_staff(request: HttpRequest) -> HttpResponse:
    articles = scope_queryset(KnowledgeArticle.objects.select_related("unit"), _officer(request))
    return render(request, "desk/staff/kb.html", {"articles": articles[:200]})


@staff_required
def kb_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = None
    if pk is not None:
        article = (
            scope_queryset(KnowledgeArticle.objects.all(), _officer(request)).filter(pk=pk).first()
        )
        if article is None:
            raise Http404
    initial = {}
    if article is not None:
        initial = {
            "kind": article.kind,
            "topic": article.topic,
            "title": article.title,
            "body": article.body,
            "items": list(article.items.all()),
            "publish": article.is_published,
        }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = knowledge.article_save(
                actor=_officer(request),
                article=article,
                kind=data["kind"],
                topic=data["topic"],
                title=data["title"],
                body=data["body"],
                items=data["items"],
                publish=data["publish"],
            )
        except DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("desk-staff:kb-edit", pk=article.pk)
    return render(request, "desk/staff/kb_edit.html", {"form": form, "article": article})


@staff_required
@require_POST
def kb_from_ticket(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.tickets_for_officer(_officer(request)).filter(number=number).first()
    if ticket is None:
        raise Http404
    try:
        article = knowledge.article_from_ticket(actor=_officer(request), ticket=ticket)
    except DeskError as error:
        messages.error(request, str(error))
        return redirect("desk-staff:ticket", number=number)
    messages.success(request, _("已生成问答草稿，请删去个人信息后再发布。"))
    return redirect("desk-staff:kb-edit", pk=article.pk)
