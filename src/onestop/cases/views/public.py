"""Applicant pages: apply (draft, resume, submit), receipt, my cases, withdraw, supplement, and
the public progress lookup by case number and verification code.

Every state change goes through ``onestop.cases.services``; a case of someone else is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop.accounts.choices import UserKind
from onestop.accounts.models import Person, User
from onestop.accounts.selectors import enterprises_person_can_act_for, person_of
from onestop.catalogue.choices import Delivery
from onestop.catalogue.models import ServiceItem, ServiceItemVersion
from onestop.certificates.selectors import certificates_usable_as_material
from onestop.core import rules
from onestop.core.middleware import client_ip
from onestop.delivery.selectors import delivery_address_of, shipments_for_case
from onestop.payments.selectors import case_payment_order
from onestop.ratings.selectors import rating_of_case

from .. import deadlines, selectors, services
from ..choices import CaseAction, CaseState
from ..errors import CaseError
from ..forms import ApplicationForm, LookupForm, SupplyForm
from ..models import Case, CaseMaterial
from ..schema_forms import SchemaForm

LOOKUP_LIMIT = 10  # tries per IP ...
LOOKUP_WINDOW = 600  # ... per this many seconds
_RECEIPT_SESSION_KEY = "cases_receipt_codes"

View = Callable[..., HttpResponse]


def applicant_required(view: View) -> View:
    """A logged-in public user with a verified real-name Person (``request.person``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        person = person_of(user) if user.kind == UserKind.PUBLIC else None
        if person is None or person.verified_at is None:
            return render(request, "cases/public/verify_first.html", status=403)
        request.person = person  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def _person(request: HttpRequest) -> Person:
    return request.person  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _my_case(person: Person, number: str) -> Case:
    return get_object_or_404(
        selectors.cases_person_may_see(person).exclude(number=""), number=number
    )


def _timeline(case: Case) -> list[Any]:
    """The public events with their state and action in words."""
    states = dict(CaseState.choices)
    actions = selectors.event_action_labels()
    events = list(selectors.case_public_timeline(case))
    for event in events:
        event.state_label = states.get(event.to_state, "")  # type: ignore[attr-defined]
        event.action_label = actions.get(event.action, event.action)  # type: ignore[attr-defined]
    return events


def _checklist(version: ServiceItemVersion, data: dict[str, Any]) -> rules.Explanation | None:
    if not version.eligibility_rules:
        return None
    try:
        facts = rules.derive_facts(data, today=timezone.localdate())
        return rules.evaluate(version.eligibility_rules, facts)
    except rules.RuleSetError:
        return None


# --- apply ----------------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, item_id: int) -> HttpResponse:
    person = _person(request)
    item = get_object_or_404(ServiceItem, pk=item_id)
    if item.current_id is None:
        raise Http404(_("该事项当前没有发布的版本"))
    draft: Case | None = None
    draft_id = request.GET.get("case") or request.POST.get("case")
    if draft_id:
        draft = get_object_or_404(
            selectors.cases_person_may_see(person),
            pk=draft_id if str(draft_id).isdigit() else 0,
            state=CaseState.DRAFT,
        )
        version = draft.item_version
        if version.item_id != item.pk:
            raise Http404()
    else:
        version = cast(ServiceItemVersion, item.current)  # not None: checked above
    if not version.channel_online:
        messages.error(request, _("该事项暂不支持网上申请，请到窗口办理。"))
        return redirect("catalogue:item", pk=item.pk)
    enterprises = enterprises_person_can_act_for(person)
    present = (
        set(draft.materials.exclude(material=None).values_list("material_id", flat=True))
        if draft
        else set()
    )
    if draft is not None:
        present -= set(draft.materials.filter(waived=True).values_list("material_id", flat=True))
    submitting = request.method == "POST" and "submit" in request.POST
    saving = request.method == "POST" and not submitting
    extra_kwargs: dict[str, Any] = {
        "ecerts": _ecerts(person, version, draft.enterprise_id if draft else None),
        "version": version,
        "enterprises": enterprises,
        "present": present,
        "draft": saving,
        "fixed_enterprise": draft is not None,
        "prefix": "app",
    }
    if request.method == "POST":
        schema_form = SchemaForm(version.form_schema, request.POST, draft=saving, prefix="f")
        app_form = ApplicationForm(request.POST, request.FILES, **extra_kwargs)
        if draft is not None:
            # the applying party of a draft is fixed; the disabled field takes its initial
            app_form.fields["enterprise"].initial = str(draft.enterprise_id or "")
        if schema_form.is_valid() & app_form.is_valid():
            data = schema_form.json_data()
            checklist = _checklist(version, data)
            if submitting and checklist is not None and checklist.result == "fail":
                messages.error(request, _("您填写的信息不符合该事项的申请条件，请核对后再提交。"))
            else:
                try:
                    case = _save(request, version, draft, schema_form, app_form)
                    if submitting:
                        return _submit(request, case, app_form)
                except CaseError as error:
                    messages.error(request, str(error))
                else:
                    if case.state != CaseState.DRAFT:  # the key was used for a submitted case
                        return redirect("cases:mine-detail", number=case.number)
                    messages.success(request, _("草稿已保存，可随时继续填写。"))
                    url = reverse("cases:apply", args=[item.pk])
                    return HttpResponseRedirect(f"{url}?case={case.pk}")
        data = schema_form.json_data() if hasattr(schema_form, "cleaned_data") else {}
    else:
        initial_data = draft.form_data if draft else {}
        schema_form = SchemaForm(version.form_schema, json_initial=initial_data, prefix="f")
        app_form = ApplicationForm(
            initial={
                "idempotency_key": draft.idempotency_key if draft else ApplicationForm.new_key(),
                "enterprise": str(draft.enterprise_id or "") if draft else "",
                "delivery": draft.delivery if draft else "",
            },
            **extra_kwargs,
        )
        if draft is not None:
            for row in draft.materials.filter(waived=True):
                app_form.initial[f"waive_{row.material_id}"] = True
                app_form.initial[f"supply_by_{row.material_id}"] = row.supply_by
        data = initial_data
    checklist = _checklist(version, {k: v for k, v in data.items() if v not in (None, "")})
    return render(
        request,
        "cases/public/apply.html",
        {
            "item": item,
            "v": version,
            "draft": draft,
            "schema_form": schema_form,
            "form": app_form,
            "checklist": checklist,
        },
        status=400 if request.method == "POST" else 200,
    )


def _ecerts(
    person: Person, version: ServiceItemVersion, enterprise_id: int | None
) -> dict[int, Any]:
    """For each material the item lets be an e-certificate, one valid certificate of the
    applying party (the person, or the draft's enterprise) that can stand for it."""
    found: dict[int, Any] = {}
    for material in version.materials.all():
        if not services.ecert_may_replace(material):
            continue
        certificate = certificates_usable_as_material(
            person=person, material_name=material.name, enterprise_id=enterprise_id
        ).first()
        if certificate is not None:
            found[material.pk] = certificate
    return found


def _save(
    request: HttpRequest,
    version: ServiceItemVersion,
    draft: Case | None,
    schema_form: SchemaForm,
    app_form: ApplicationForm,
) -> Case:
    """Create or update the draft and store its uploads and 容缺 declarations."""
    user = _user(request)
    data = schema_form.json_data()
    delivery = app_form.cleaned_data["delivery"]
    with transaction.atomic():
        if draft is None:
            case = services.case_create(
                actor=user,
                item_version=version,
                enterprise=app_form.chosen_enterprise(),
                form_data=data,
                delivery=delivery,
                idempotency_key=app_form.cleaned_data["idempotency_key"],
            )
            if case.state != CaseState.DRAFT:
                # the same key again after submission (a double click): nothing more to do
                return case
        else:
            case = draft
        case = services.case_draft_update(actor=user, case=case, form_data=data, delivery=delivery)
        for material_id, certificate in app_form.ecert_uses.items():
            services.case_material_from_certificate(
                actor=user, case=case, material_id=material_id, certificate_id=certificate.pk
            )
        for material_id, file in app_form.uploads.items():
            services.case_material_upload(actor=user, case=case, file=file, material_id=material_id)
        waivable_ids = [m.pk for m in app_form.materials if f"waive_{m.pk}" in app_form.fields]
        case.materials.filter(material_id__in=waivable_ids, waived=True).delete()
        for material_id, supply_by in app_form.waivers.items():
            material = next(m for m in app_form.materials if m.pk == material_id)
            case.materials.filter(material_id=material_id, supplement=False).delete()
            CaseMaterial.objects.create(
                case=case,
                material=material,
                name=material.name,
                position=material.position,
                waived=True,
                supply_by=supply_by,
            )
    return case


def _submit(request: HttpRequest, case: Case, app_form: ApplicationForm) -> HttpResponse:
    if case.state != CaseState.DRAFT:  # resubmitted with a used key: show what exists
        return redirect("cases:mine-detail", number=case.number)
    signed = bool(app_form.cleaned_data.get("commitment_signed"))
    case = services.case_submit(actor=_user(request), case=case, commitment_signed=signed)
    codes = request.session.get(_RECEIPT_SESSION_KEY, {})
    codes[case.number] = case.verification_code
    request.session[_RECEIPT_SESSION_KEY] = codes
    return redirect("cases:receipt", number=case.number)


@applicant_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(_person(request), number)
    codes = request.session.get(_RECEIPT_SESSION_KEY, {})
    code = codes.pop(number, "")
    if code:
        request.session[_RECEIPT_SESSION_KEY] = codes
    due, provisional = case.promised_due_at, case.due_provisional
    estimated = False
    if due is None and case.submitted_at is not None:
        # not accepted yet: the promise runs from acceptance; show it as if accepted on submission
        version = case.item_version
        deadline = deadlines.limit_deadline(
            case.submitted_at,
            version.promised_limit,
            version.promised_limit_unit,
            deadlines.office_hours_of(case.handling_unit.office_hours),
        )
        due, provisional, estimated = deadline.at, deadline.provisional, True
    return render(
        request,
        "cases/public/receipt.html",
        {
            "case": case,
            "code": code,
            "due": due,
            "due_provisional": provisional,
            "due_estimated": estimated,
            "events": _timeline(case),
            "steps": _next_steps(case),
        },
    )


# --- my cases -------------------------------------------------------------------------------


@applicant_required
def mine(request: HttpRequest) -> HttpResponse:
    cases = list(selectors.cases_person_may_see(_person(request)))
    return render(request, "cases/public/mine.html", {"cases": cases})


@applicant_required
def mine_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(_person(request), number)
    return _detail(request, case, SupplyForm())


#: States in which the applicant may rate the service (the ratings app checks again).
_RATEABLE = {
    CaseState.CLOSED,
    CaseState.REFUSED,
    CaseState.TERMINATED,
    CaseState.REVOKED,
}


def _next_steps(case: Case) -> dict[str, Any]:
    """Fee, courier and rating for the applicant's pages (``cases/public/_next_steps.html``)."""
    fee = services.fee_fen(case)
    courier = case.delivery == Delivery.COURIER
    return {
        "fee_fen": fee,
        "fee_yuan": f"{fee / 100:.2f}",
        "fee_due": fee > 0 and services.fee_outstanding(case),
        "order": case_payment_order(case.pk) if fee else None,
        "courier": courier,
        "address": delivery_address_of(case.pk) if courier else None,
        "shipments": shipments_for_case(case.pk) if courier else [],
        "can_rate": case.state in _RATEABLE,
        "rating": rating_of_case(case) if case.state in _RATEABLE else None,
    }


def _detail(
    request: HttpRequest, case: Case, supply_form: SupplyForm, status: int = 200
) -> HttpResponse:
    actions = services.allowed_actions(case, _user(request))
    return render(
        request,
        "cases/public/detail.html",
        {
            "case": case,
            "events": _timeline(case),
            "materials": case.materials.all(),
            "can_withdraw": CaseAction.WITHDRAW in actions,
            "can_supply": CaseAction.SUPPLY in actions,
            "supply_form": supply_form,
            "steps": _next_steps(case),
        },
        status=status,
    )


@applicant_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(_person(request), number)
    try:
        services.case_withdraw(
            actor=_user(request), case=case, reason=request.POST.get("reason", "")[:500]
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("cases:mine-detail", number=case.number)


@applicant_required
@require_POST
def supply(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(_person(request), number)
    form = SupplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, case, form, status=400)
    try:
        with transaction.atomic():
            services.case_material_upload(
                actor=_user(request), case=case, file=form.cleaned_data["file"], supplement=True
            )
            services.case_supply(actor=_user(request), case=case, note=form.cleaned_data["note"])
    except CaseError as error:
        messages.error(request, str(error))
    except ValidationError as error:  # pragma: no cover - validated in the form already
        form.add_error("file", error)
        return _detail(request, case, form, status=400)
    else:
        messages.success(request, _("补正材料已提交，办理继续计时。"))
    return redirect("cases:mine-detail", number=case.number)


# --- public lookup --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    case: Case | None = None
    error = ""
    status = 200
    form = LookupForm(request.POST or None)
    if request.method == "POST":
        key = f"cases:lookup:{client_ip(request) or 'unknown'}"
        cache.add(key, 0, LOOKUP_WINDOW)
        try:
            tries = cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOOKUP_WINDOW)
            tries = 1
        if tries > LOOKUP_LIMIT:
            error = _("查询过于频繁，请 10 分钟后再试。")
            status = 429
        elif form.is_valid():
            case = selectors.case_public_lookup(
                number=form.cleaned_data["number"], code=form.cleaned_data["code"]
            )
            if case is None:
                error = _("办件编号或查询码不正确。")
                status = 404
        else:
            status = 400
    return render(
        request,
        "cases/public/lookup.html",
        {
            "form": form,
            "case": case,
            "error": error,
            "events": _timeline(case) if case else [],
        },
        status=status,
    )
