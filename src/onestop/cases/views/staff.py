"""Staff case pages (办件): the inbox of the officer's unit subtree and the case page with one
POST form per action the officer may take now.

Every write goes through ``onestop.cases.services``; typed case errors become messages (the
case is unchanged) and never a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import Exact
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.choices import Role
from onestop.accounts.models import User
from onestop.catalogue.models import ServiceItemVersion
from onestop.core import rules
from onestop.core.pii import mask_name
from onestop.delivery.selectors import shipments_for_case
from onestop.payments.selectors import case_payment_state
from onestop.workbench.permissions import staff_required

from .. import forms_staff as f
from .. import selectors, services
from ..choices import CaseAction, CaseState, Decision, WarningLevel
from ..errors import CaseError, NotAllowed
from ..models import TERMINAL_STATES, Case, CaseEvent, CaseSupervision

PAGE_SIZE = 50
#: What an inbox row shows: the page reads only these columns (a case row also holds the form
#: data and the eligibility explanation, JSON that would be decoded for nothing). A row is
#: bulk-acceptable when it is submitted and its item version is on the spot (马上办).
INBOX_COLUMNS = (
    "number",
    "state",
    "warning_level",
    "promised_due_at",
    "due_provisional",
    "item_version__name",
    "item_version__on_the_spot",
    "applicant__name",
    "enterprise__name",
)
#: The inbox counts at most this many cases (a bureau-wide scope holds millions; counting them
#: all costs more than the page itself). Beyond it the page says "more than …".
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` (``capped`` tells the page).

    ``counted`` is the queryset to count when the page's own queryset reads more than it
    needs to count (columns of joined tables)."""

    def __init__(self, object_list: Any, per_page: int, *, counted: QuerySet[Any] | None = None):
        super().__init__(object_list, per_page)
        self._counted = counted

    @cached_property
    def count(self) -> int:
        # unordered: a LIMIT under the inbox order would sort every row in scope first
        source = self._counted if self._counted is not None else self.object_list
        unordered = cast("QuerySet[Case]", source).order_by()
        counted = unordered.values("pk")[: COUNT_CAP + 1].count()
        self.capped = counted > COUNT_CAP
        return min(counted, COUNT_CAP)

    capped = False


A = CaseAction


def _officer(request: HttpRequest) -> User:
    """The signed-in officer; only call behind ``staff_required``."""
    return cast(User, request.user)


# --- the actions ---------------------------------------------------------------------------


Perform = Callable[[f.CaseActionForm, User, Case], object]


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.CaseActionForm]
    perform: Perform
    danger: bool = False


def _note(service: Callable[..., object]) -> Perform:
    return lambda form, actor, case: service(actor=actor, case=case, note=form.cleaned_data["note"])


def _reason(service: Callable[..., object]) -> Perform:
    return lambda form, actor, case: service(
        actor=actor, case=case, reason=form.cleaned_data["reason"]
    )


def _accept(form: f.CaseActionForm, actor: User, case: Case) -> object:
    data = form.cleaned_data
    return services.case_accept(
        actor=actor,
        case=case,
        missing_material_ids=data.get("missing_materials") or (),
        supply_by=data.get("supply_by"),
        note=data["note"],
    )


def _supplement(form: f.CaseActionForm, actor: User, case: Case) -> object:
    assert isinstance(form, f.SupplementForm)
    return services.case_request_supplement(actor=actor, case=case, reason=form.full_reason())


def _transfer(form: f.CaseActionForm, actor: User, case: Case) -> object:
    data = form.cleaned_data
    return services.case_transfer(
        actor=actor, case=case, to_unit=data["to_unit"], reason=data["reason"]
    )


def _post_check(form: f.CaseActionForm, actor: User, case: Case) -> object:
    data = form.cleaned_data
    return services.case_post_check(
        actor=actor, case=case, passed=data["result"], findings=data["findings"]
    )


def _supervise(form: f.CaseActionForm, actor: User, case: Case) -> object:
    data = form.cleaned_data
    return services.case_supervise(
        actor=actor,
        case=case,
        comment=data["comment"],
        deadline=data.get("deadline"),
        escalated=data.get("escalated", False),
    )


#: Staff actions with their form and service. Applicant and system actions are not here.
ACTIONS: dict[CaseAction, ActionSpec] = {
    A.ACCEPT: ActionSpec(f.AcceptForm, _accept),
    A.REFUSE: ActionSpec(f.ReasonForm, _reason(services.case_refuse), danger=True),
    A.START_REVIEW: ActionSpec(f.NoteForm, _note(services.case_start_review)),
    A.REQUEST_SUPPLEMENT: ActionSpec(f.SupplementForm, _supplement),
    A.SUSPEND: ActionSpec(f.ReasonForm, _reason(services.case_suspend), danger=True),
    A.RESUME: ActionSpec(f.NoteForm, _note(services.case_resume)),
    A.APPROVE: ActionSpec(f.NoteForm, _note(services.case_approve)),
    A.DENY: ActionSpec(f.ReasonForm, _reason(services.case_deny), danger=True),
    A.ISSUE_RESULT: ActionSpec(f.NoteForm, _note(services.case_issue_result)),
    A.DELIVER: ActionSpec(f.NoteForm, _note(services.case_deliver)),
    A.COLLECT: ActionSpec(f.NoteForm, _note(services.case_collect)),
    A.CLOSE: ActionSpec(f.NoteForm, _note(services.case_close)),
    A.TRANSFER: ActionSpec(f.TransferForm, _transfer),
    A.REVOKE: ActionSpec(f.ReasonForm, _reason(services.case_revoke), danger=True),
    A.SUPERVISE: ActionSpec(f.SuperviseForm, _supervise),
    A.FULFIL_CONDITIONAL: ActionSpec(f.NoteForm, _note(services.case_conditional_fulfil)),
    A.POST_CHECK: ActionSpec(f.PostCheckForm, _post_check),
}


# --- queries -------------------------------------------------------------------------------


def _case_or_404(request: HttpRequest, number: str) -> Case:
    case = selectors.cases_in_officer_scope(_officer(request)).filter(number=number).first()
    if case is None:
        raise Http404
    return case


# --- inbox ---------------------------------------------------------------------------------


def _checklist(case: Case) -> Any:
    """The eligibility explanation stored at submission, or (older or draft cases) computed now."""
    if case.eligibility:
        return case.eligibility
    try:
        return services.case_eligibility(case)
    except rules.RuleSetError:
        return None


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    units = selectors.units_in_officer_scope(user)
    items = list(selectors.items_in_officer_scope(user))
    form = f.InboxFilterForm(request.GET or None, items=items, units=units)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit_ids = [u.pk for u in units]
    if data.get("unit"):  # the unit and its subtree (a choice, so inside the officer's scope)
        chosen = next(u for u in units if u.code == data["unit"])
        unit_ids = [u.pk for u in units if u.path.startswith(chosen.path)]
    qs = selectors.cases_in_officer_scope(user, unit_ids=unit_ids)
    state = data.get("state") or f.STATE_OPEN
    history = state == f.STATE_ALL or state in TERMINAL_STATES
    if state == f.STATE_OPEN:
        qs = qs.exclude(state__in=TERMINAL_STATES)
    elif state == f.STATE_POST_CHECK:
        qs = qs.filter(
            commitment=True,
            post_check_required=True,
            post_checked_at__isnull=True,
            decision=Decision.APPROVED,
        )
    elif state != f.STATE_ALL:
        qs = qs.filter(state=state)
    if data.get("item"):
        # the item's version ids as values: on the join with the version table the planner
        # guessed the item's share of the cases and walked the urgency index (65 ms)
        versions = ServiceItemVersion.objects.filter(item_id=data["item"]).values_list("pk")
        qs = qs.filter(item_version_id__in=[pk for (pk,) in versions])
    warning = data.get("warning")
    if warning and history:
        qs = qs.filter(warning_level=warning)
    if data.get("scope") == f.SCOPE_MINE:
        qs = qs.filter(pk__in=CaseEvent.objects.filter(actor=user).values("case_id"))
    if history:
        ordered = selectors.order_newest_first(qs)
    else:
        ordered = selectors.order_by_urgency(qs)
        if warning:
            # through the urgency rank, the first column of the open inbox's index: a range of
            # it (with the planner's statistics of that expression, where those of
            # warning_level alone put red cases everywhere in the table)
            ordered = ordered.filter(Exact(F("urgency"), selectors.URGENCY_RANKS[warning]))
    # The page's ids first, then their rows (a "deferred join"): the id query reads only
    # index columns (an index-only scan of the history indexes), so a deep page (page 50 of
    # 200 rows skips 9,800 cases) no longer fetches every skipped case from the table.
    ids_qs = ordered.values_list("pk", flat=True)
    page = CappedPaginator(ids_qs, PAGE_SIZE, counted=ordered).get_page(request.GET.get("page"))
    # plain rows, not model instances: a 200-row page built 1,000 instances (case, item
    # version, applicant, enterprise) for nine values per row
    page_ids = list(page.object_list)
    found = {r["pk"]: r for r in Case.objects.filter(pk__in=page_ids).values("pk", *INBOX_COLUMNS)}
    page_rows = [found[pk] for pk in page_ids if pk in found]
    query = request.GET.copy()
    query.pop("page", None)
    roles = user.role_codes()
    clerk = Role.WINDOW_CLERK in roles
    state_labels = {k: str(v) for k, v in CaseState.choices}
    warning_labels = {k: str(v) for k, v in WarningLevel.choices}
    rows = [
        {
            "number": row["number"],
            "url": reverse("cases-staff:case", args=[row["number"]]),
            "item": row["item_version__name"],
            "applicant": mask_name(row["applicant__name"]),
            "enterprise": row["enterprise__name"] or "",
            "state_label": state_labels.get(row["state"], row["state"]),
            "due": row["promised_due_at"],
            "provisional": row["due_provisional"],
            "level": row["warning_level"],
            "warning_label": warning_labels.get(row["warning_level"], row["warning_level"]),
            "bulk": clerk
            and _on_the_spot_submitted(row["state"], row["item_version__on_the_spot"]),
        }
        for row in page_rows
    ]
    return render(
        request,
        "cases/staff/inbox.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "bulk": any(row["bulk"] for row in rows),
            "supervisor": bool(roles & SUPERVISION_ROLES),
            "history": history,
        },
    )


# --- bulk acceptance (批量受理) of on-the-spot items ------------------------------------------


def _bulk_acceptable(case: Case) -> bool:
    """A submitted case of an on-the-spot (马上办) item version."""
    return _on_the_spot_submitted(case.state, case.item_version.on_the_spot)


def _on_the_spot_submitted(state: str, on_the_spot: bool) -> bool:
    return state == CaseState.SUBMITTED and on_the_spot


@staff_required
@require_POST
def bulk_accept(request: HttpRequest) -> HttpResponse:
    """Accept each selected case in its own transaction; each one succeeds or is refused alone.

    Only submitted cases of on-the-spot items in the officer's subtree qualify; any other
    number (unknown, out of scope, not on the spot, not submitted) is refused unchanged."""
    user = _officer(request)
    numbers = list(dict.fromkeys(n.strip() for n in request.POST.getlist("cases") if n.strip()))
    if not numbers:
        messages.error(request, _("请先勾选要受理的办件。"))
        return redirect("cases-staff:inbox")
    found = {c.number: c for c in selectors.cases_in_officer_scope(user).filter(number__in=numbers)}
    for number in numbers:
        case = found.get(number)
        if case is None or not _bulk_acceptable(case):
            messages.error(
                request,
                _("%(number)s：不可批量受理（仅限本辖区待受理的马上办事项）。")
                % {"number": number},
            )
            continue
        try:
            with transaction.atomic():
                services.case_accept(actor=user, case=case)
        except CaseError as exc:
            messages.error(request, _("%(number)s：%(error)s") % {"number": number, "error": exc})
        else:
            messages.success(request, _("%(number)s：已受理。") % {"number": number})
    return redirect("cases-staff:inbox")


# --- supervision view (督办) ------------------------------------------------------------------

SUPERVISION_ROLES = frozenset({Role.SUPERVISOR.value, Role.PLATFORM_ADMIN.value})


@staff_required
def supervision(request: HttpRequest) -> HttpResponse:
    """Cases of the subtree that are red, yellow or under supervision, grouped by handling unit
    (units in tree order), most urgent first within each unit."""
    user = _officer(request)
    if not user.role_codes() & SUPERVISION_ROLES:
        raise PermissionDenied
    latest = CaseSupervision.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-pk")
    qs = (
        selectors.cases_in_officer_scope(user)
        .exclude(state__in=TERMINAL_STATES)
        .annotate(
            supervised=Exists(CaseSupervision.objects.filter(case=OuterRef("pk"))),
            sup_comment=Subquery(latest.values("comment")[:1]),
            sup_deadline=Subquery(latest.values("deadline")[:1]),
            sup_escalated=Subquery(latest.values("escalated")[:1]),
        )
        .filter(Q(warning_level__in=[WarningLevel.RED, WarningLevel.YELLOW]) | Q(supervised=True))
    )
    groups: dict[int, dict[str, Any]] = {}
    for case in selectors.order_by_urgency(qs):
        unit = case.handling_unit
        group = groups.setdefault(
            unit.pk,
            {"unit": unit, "rows": [], "red": 0, "yellow": 0, "supervised": 0},
        )
        group["rows"].append(
            {
                "case": case,
                "applicant": mask_name(case.applicant.name),
                "comment": case.sup_comment or "",  # type: ignore[attr-defined]
                "deadline": case.sup_deadline,  # type: ignore[attr-defined]
                "escalated": bool(case.sup_escalated),  # type: ignore[attr-defined]
            }
        )
        if case.warning_level == WarningLevel.RED:
            group["red"] += 1
        elif case.warning_level == WarningLevel.YELLOW:
            group["yellow"] += 1
        if case.supervised:  # type: ignore[attr-defined]
            group["supervised"] += 1
    ordered = sorted(groups.values(), key=lambda g: (-g["red"], -g["yellow"], g["unit"].path))
    return render(
        request,
        "cases/staff/supervision.html",
        {"groups": ordered, "total": sum(len(g["rows"]) for g in ordered)},
    )


# --- the case page -------------------------------------------------------------------------


def _display(value: Any) -> str:
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(_display(v) for v in value)
    return str(value)


def _form_rows(case: Case) -> list[tuple[str, str]]:
    """(label, value) of the form data, labels from the item version's form schema titles, in
    the schema's order, then any keys the schema does not know."""
    properties = (case.item_version.form_schema or {}).get("properties") or {}
    data = case.form_data or {}
    keys = [k for k in properties if k in data] + [k for k in data if k not in properties]
    return [(str((properties.get(k) or {}).get("title") or k), _display(data[k])) for k in keys]


def _materials(case: Case) -> list[dict[str, Any]]:
    missing = set(case.conditional_materials or [])
    return [
        {
            "material": m,
            "missing": m.pk in missing and case.conditional_fulfilled_at is None,
        }
        for m in case.item_version.materials.all()
    ]


def _render_case(
    request: HttpRequest,
    case: Case,
    bound: tuple[CaseAction, f.CaseActionForm] | None = None,
) -> HttpResponse:
    user = _officer(request)
    actions = []
    for action in services.allowed_actions(case, user):
        spec = ACTIONS.get(action)
        if spec is None:
            continue
        if bound is not None and bound[0] == action:
            form = bound[1]
        else:
            form = spec.form(case=case, prefix=action.value)
        actions.append({"action": action, "form": form, "danger": spec.danger})
    states = dict(CaseState.choices)
    labels = selectors.event_action_labels()
    events = [
        {
            "event": event,
            "action": labels.get(event.action, event.action),
            "actor": selectors.event_actor_label(event),
            "from_state": states.get(event.from_state, event.from_state),
            "to_state": states.get(event.to_state, event.to_state),
        }
        for event in case.events.select_related("actor").order_by("at", "id")
    ]
    now = timezone.now()
    fee = services.fee_fen(case)
    return render(
        request,
        "cases/staff/case.html",
        {
            "case": case,
            "applicant": mask_name(case.applicant.name),
            "form_rows": _form_rows(case),
            "checklist": _checklist(case),
            "fee_yuan": f"{fee / 100:.2f}" if fee else "",
            "fee_state": case_payment_state(case.pk) if fee else "",
            "shipments": shipments_for_case(case.pk),
            "materials": _materials(case),
            "events": events,
            "supervisions": case.supervisions.select_related("supervisor"),
            "actions": actions,
            "overdue": case.promised_due_at is not None
            and case.promised_due_at < now
            and case.decided_at is None,
        },
    )


@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_case(request, _case_or_404(request, number))


@staff_required
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = _case_or_404(request, number)
    try:
        act = CaseAction(action)
    except ValueError:
        raise Http404 from None
    spec = ACTIONS.get(act)
    if spec is None:
        raise Http404
    form = spec.form(request.POST, case=case, prefix=act.value)
    if not form.is_valid():
        if act not in services.allowed_actions(case, _officer(request)):
            # Nothing to correct: the officer may not take this action now at all.
            messages.error(request, str(NotAllowed()))
            return redirect("cases-staff:case", number=case.number)
        messages.error(request, _("请按提示修改后再提交。"))
        return _render_case(request, case, bound=(act, form))
    try:
        spec.perform(form, _officer(request), case)
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已办理：%(action)s") % {"action": act.label})
    return redirect("cases-staff:case", number=case.number)
