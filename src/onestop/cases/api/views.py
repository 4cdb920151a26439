"""Case API for integrators: applicants file, submit, follow and withdraw their applications;
verified officers list the cases of their unit subtree and act on them.

Every write goes through ``onestop.cases.services``. Typed case errors map to HTTP: an illegal
transition is 409, a missing right 403 (a case outside the officer's scope 404, as if it did not
exist), an invalid input 400. A refused request changes nothing.

Creating an application needs an ``Idempotency-Key`` header: the same key from the same applicant
answers the case it created (200 instead of 201); the same key with a different body is 409.
"""

from __future__ import annotations

from typing import Any, NoReturn, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.accounts.api.permissions import IsVerifiedOfficer
from onestop.accounts.choices import UserKind
from onestop.accounts.models import Enterprise, Person, User
from onestop.accounts.selectors import person_of
from onestop.catalogue.models import ServiceItem, ServiceItemVersion
from onestop.core.uploads import MultiPartParser

from .. import selectors, services
from ..choices import CaseAction, CaseState, WarningLevel
from ..errors import CaseError, IdempotencyConflict, IllegalTransition, NotAllowed
from ..models import TERMINAL_STATES, Case, CaseMaterial
from ..schema_forms import SchemaForm
from ..views.staff import ACTIONS
from .serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseMaterialSerializer,
    CaseSubmitSerializer,
    CaseSummarySerializer,
    CaseWithdrawSerializer,
    ErrorSerializer,
    MaterialUploadSerializer,
    StaffActionSerializer,
    StaffCaseDetailSerializer,
    StaffCaseSummarySerializer,
    SupplyUploadSerializer,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="Client-chosen unique key (at most 64 characters) for this application; "
    "retrying with the same key returns the same case.",
)
CASE_REF = OpenApiParameter(
    "ref",
    OpenApiTypes.STR,
    location=OpenApiParameter.PATH,
    description="The case number, or the case id while it is a draft (drafts have no number).",
)
NUMBER = OpenApiParameter("number", OpenApiTypes.STR, location=OpenApiParameter.PATH)
ERRORS = {
    400: OpenApiResponse(description="Invalid input"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(description="No such case (or not yours / outside your scope)"),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the case's state"),
}


class CaseConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class CaseInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        if extra:
            # structured JSON (numbers, booleans) as is, not coerced to error strings
            self.detail = {**self.detail, **extra}  # type: ignore[dict-item]


def _raise_for(error: CaseError) -> NoReturn:
    """Re-raise a typed case error as the matching API error."""
    detail = {"detail": str(error), "code": error.code}
    if isinstance(error, NotAllowed) and error.code == "out_of_scope":
        raise Http404
    if isinstance(error, NotAllowed):
        raise exceptions.PermissionDenied(detail)
    if isinstance(error, IllegalTransition | IdempotencyConflict):
        raise CaseConflict(detail)
    raise CaseInvalid(detail, error.data)


# --- applicants -------------------------------------------------------------------------------


class IsVerifiedApplicant(permissions.BasePermission):
    """A signed-in public user whose real-name person is verified. The person is kept on the
    request's user for the rest of the request (the view and the services read it once)."""

    message = _("请先登录并完成实名认证后再申请。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and getattr(user, "kind", "") == UserKind.PUBLIC):
            return False
        person = person_of(cast(User, user))
        if person is None or person.verified_at is None:
            return False
        services.remember_acting_person(cast(User, user), person)
        return True


def _person(request: Request) -> Person:
    person = services.acting_person(cast(User, request.user))
    assert person is not None  # IsVerifiedApplicant
    return person


def _my_case(request: Request, ref: str) -> Case:
    cases = selectors.cases_person_may_see(_person(request))
    case = cases.exclude(number="").filter(number=ref.upper()).first()
    if case is None and ref.isdigit():
        case = cases.filter(number="", pk=int(ref)).first()
    if case is None:
        raise Http404
    return case


def _form_data(version: ServiceItemVersion, data: dict[str, Any], *, draft: bool) -> dict[str, Any]:
    """``data`` checked against the version's form schema (all optional for a draft) and
    normalised as the application pages store it; 400 when it does not fit."""
    form = SchemaForm(version.form_schema, data, draft=draft)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        raise exceptions.ValidationError({"form_data": errors})
    return form.json_data()


def _same_body(case: Case, data: dict[str, Any]) -> bool:
    """Whether a replayed create asks for what the key's case was created with."""
    if case.item_version.item_id != data["item_id"] or case.enterprise_id != data["enterprise"]:
        return False
    if data["delivery"] and case.delivery != data["delivery"]:
        return False
    form = SchemaForm(case.item_version.form_schema, data["form_data"], draft=True)
    return form.is_valid() and (case.form_data or {}) == form.json_data()


class MyCaseListView(generics.ListAPIView[Case]):
    """My cases (drafts included, and those of enterprises I may act for), newest first;
    POST files a new application."""

    permission_classes = [IsVerifiedApplicant]
    serializer_class = CaseSummarySerializer

    def get_queryset(self) -> QuerySet[Case]:
        return cast(QuerySet[Case], selectors.cases_person_may_see(_person(self.request)))

    @extend_schema(
        request=CaseCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: CaseDetailSerializer,
            200: OpenApiResponse(CaseDetailSerializer, description="Replay of the same key"),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > 64:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("请求头 Idempotency-Key 必填，且不超过 64 个字符。")]}
            )
        body = CaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            version, enterprise, form_data = self._checked(data)
        except exceptions.ValidationError:
            # a replay is answered even if the item changed since the key's case was created
            existing = services.case_by_idempotency_key(person=_person(request), key=key)
            if existing is None:
                raise
            return self._replay(existing, data)
        try:
            # Insert first: a replayed key hits the unique constraint and case_create answers
            # the earlier case, untouched.
            case = services.case_create(
                actor=cast(User, request.user),
                item_version=version,
                enterprise=enterprise,
                form_data=form_data,
                delivery=data["delivery"],
                idempotency_key=key,
                submit=data["submit"],
                commitment_signed=data["commitment_signed"],
            )
        except CaseError as error:
            _raise_for(error)
        if getattr(case, "idempotent_replay", False):
            return self._replay(case, data)
        # A case created by this request has no materials yet (they are uploaded to a draft).
        case._prefetched_objects_cache = {"materials": CaseMaterial.objects.none()}  # type: ignore[attr-defined]
        return Response(self._detail(case), status=status.HTTP_201_CREATED)

    def _checked(
        self, data: dict[str, Any]
    ) -> tuple[ServiceItemVersion, Enterprise | None, dict[str, Any]]:
        """The item's current version (with the item and its implementing unit, read in one
        query), the enterprise and the checked form data; 400 when any is wrong."""
        item = (
            ServiceItem.objects.select_related("current", "implementing_unit")
            .filter(pk=data["item_id"])
            .first()
        )
        if item is None or item.current is None:
            raise exceptions.ValidationError({"item_id": [_("该事项不存在或当前没有发布的版本。")]})
        version = item.current
        if not version.channel_online:
            raise exceptions.ValidationError({"item_id": [_("该事项暂不支持网上申请。")]})
        version.item = item
        enterprise = None
        if data["enterprise"] is not None:
            enterprise = Enterprise.objects.filter(pk=data["enterprise"]).first()
            if enterprise is None:
                raise exceptions.ValidationError({"enterprise": [_("企业不存在。")]})
        return version, enterprise, _form_data(version, data["form_data"], draft=not data["submit"])

    def _replay(self, case: Case, data: dict[str, Any]) -> Response:
        """The same key again: the key's case (200), or 409 if the body asks for another."""
        if not _same_body(case, data):
            _raise_for(IdempotencyConflict())
        return Response(self._detail(case))

    def _detail(self, case: Case) -> Any:
        return CaseDetailSerializer(case, context=self.get_serializer_context()).data


class MyCaseDetailView(APIView):
    permission_classes = [IsVerifiedApplicant]

    @extend_schema(parameters=[CASE_REF], responses={200: CaseDetailSerializer, 404: None})
    def get(self, request: Request, ref: str) -> Response:
        case = _my_case(request, ref)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class MyCaseSubmitView(APIView):
    """Submit a draft; the answer carries the case number and, this once, the verification
    code for the public progress lookup. Submitting again is 409."""

    permission_classes = [IsVerifiedApplicant]

    @extend_schema(
        request=CaseSubmitSerializer,
        parameters=[CASE_REF],
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, ref: str) -> Response:
        case = _my_case(request, ref)
        body = CaseSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if case.state == CaseState.DRAFT:  # a complete form is needed to submit
            _form_data(case.item_version, case.form_data or {}, draft=False)
        try:
            case = services.case_submit(
                actor=cast(User, request.user),
                case=case,
                commitment_signed=body.validated_data["commitment_signed"],
            )
        except CaseError as error:
            _raise_for(error)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class MyCaseWithdrawView(APIView):
    permission_classes = [IsVerifiedApplicant]

    @extend_schema(
        request=CaseWithdrawSerializer,
        parameters=[CASE_REF],
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, ref: str) -> Response:
        case = _my_case(request, ref)
        body = CaseWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            case = services.case_withdraw(
                actor=cast(User, request.user), case=case, reason=body.validated_data["reason"]
            )
        except CaseError as error:
            _raise_for(error)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class MyCaseMaterialUploadView(APIView):
    """Upload a file for one of the item's materials to a draft (multipart). A new upload of the
    same material replaces the old one. The file is checked by its content (PDF, JPEG, PNG, OFD;
    size and image dimensions bounded): a refused file is 400 with the reason and stores
    nothing."""

    permission_classes = [IsVerifiedApplicant]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": MaterialUploadSerializer},
        parameters=[CASE_REF],
        responses={201: CaseMaterialSerializer, **ERRORS},
    )
    def post(self, request: Request, ref: str) -> Response:
        case = _my_case(request, ref)
        body = MaterialUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            row = services.case_material_upload(
                actor=cast(User, request.user),
                case=case,
                file=body.validated_data["file"],
                material_id=body.validated_data["material_id"],
            )
        except CaseError as error:
            _raise_for(error)
        return Response(CaseMaterialSerializer(row).data, status=status.HTTP_201_CREATED)


class MyCaseSupplyView(APIView):
    """Answer a 补正 request with a file (multipart): the file is stored as a supplement and
    the case goes back to review with its clock running again."""

    permission_classes = [IsVerifiedApplicant]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": SupplyUploadSerializer},
        parameters=[CASE_REF],
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, ref: str) -> Response:
        case = _my_case(request, ref)
        body = SupplyUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = cast(User, request.user)
        try:
            with transaction.atomic():
                services.case_material_upload(
                    actor=user, case=case, file=body.validated_data["file"], supplement=True
                )
                case = services.case_supply(actor=user, case=case, note=body.validated_data["note"])
        except CaseError as error:
            _raise_for(error)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


# --- staff ------------------------------------------------------------------------------------

STATE_FILTER = OpenApiParameter(
    "state",
    OpenApiTypes.STR,
    enum=["open", "all", *CaseState.values],
    description="`open` (default): not yet closed; `all`; or one state.",
)
WARNING_FILTER = OpenApiParameter("warning", OpenApiTypes.STR, enum=WarningLevel.values)


def _officer(request: Request) -> User:
    return cast(User, request.user)


def _scoped_case(request: Request, number: str) -> Case:
    case = selectors.cases_in_officer_scope(_officer(request)).filter(number=number.upper()).first()
    if case is None:
        raise Http404
    return case


class StaffCaseListView(generics.ListAPIView[Case]):
    """Submitted cases of the officer's unit subtree, most urgent first (red, yellow, then the
    earliest promised due date)."""

    permission_classes = [IsVerifiedOfficer]
    serializer_class = StaffCaseSummarySerializer

    @extend_schema(parameters=[STATE_FILTER, WARNING_FILTER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Case]:
        qs = selectors.cases_in_officer_scope(_officer(self.request))
        params = self.request.query_params
        state = params.get("state") or "open"
        if state == "open":
            qs = qs.exclude(state__in=TERMINAL_STATES)
        elif state in CaseState.values:
            qs = qs.filter(state=state)
        elif state != "all":
            raise exceptions.ValidationError({"state": [_("状态无效。")]})
        warning = params.get("warning")
        if warning:
            if warning not in WarningLevel.values:
                raise exceptions.ValidationError({"warning": [_("预警级别无效。")]})
            qs = qs.filter(warning_level=warning)
        return selectors.order_by_urgency(qs)


class StaffCaseDetailView(APIView):
    """A case of the officer's unit subtree with its full timeline and the actions the officer
    may take now; 404 outside the subtree."""

    permission_classes = [IsVerifiedOfficer]

    @extend_schema(parameters=[NUMBER], responses={200: StaffCaseDetailSerializer, 404: None})
    def get(self, request: Request, number: str) -> Response:
        case = _scoped_case(request, number)
        return Response(StaffCaseDetailSerializer(case, context={"request": request}).data)


def _refusal(case: Case, action: CaseAction) -> CaseError:
    """Why an action the officer may not take now is refused: the state or the right."""
    if (CaseState(case.state), action) not in services.TRANSITIONS:
        return IllegalTransition(params={"state": case.get_state_display(), "action": action.label})
    return NotAllowed()


class StaffCaseActionView(APIView):
    """Take a workflow action on a case. Inputs per action as in ``StaffAction``. Needs a
    session verified with the second factor."""

    permission_classes = [IsVerifiedOfficer]

    @extend_schema(
        request=StaffActionSerializer,
        parameters=[
            NUMBER,
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                location=OpenApiParameter.PATH,
                enum=[a.value for a in ACTIONS],
            ),
        ],
        responses={200: StaffCaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, number: str, action: str) -> Response:
        case = _scoped_case(request, number)
        try:
            act = CaseAction(action)
        except ValueError:
            raise Http404 from None
        spec = ACTIONS.get(act)
        if spec is None:
            raise Http404
        officer = _officer(request)
        if act not in services.allowed_actions(case, officer):
            _raise_for(_refusal(case, act))
        data = request.data if isinstance(request.data, dict) else {}
        form = spec.form(data, case=case)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {field: [str(e) for e in errors] for field, errors in form.errors.items()}
            )
        try:
            result = spec.perform(form, officer, case)
        except CaseError as error:
            _raise_for(error)
        case = result if isinstance(result, Case) else Case.objects.get(pk=case.pk)
        return Response(StaffCaseDetailSerializer(case, context={"request": request}).data)
