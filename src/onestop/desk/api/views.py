"""Desk API: askers file and follow their tickets and accept or reopen replies; verified officers
list, read, answer and escalate the tickets of their scope; anyone reads the green-channel
liaison directory. Typed desk errors map to 403 / 409 / 400; other people's tickets are 404."""

from __future__ import annotations

from typing import Any, NoReturn, cast

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.accounts.api.permissions import IsVerifiedOfficer
from onestop.accounts.models import Enterprise, Unit, User

from .. import selectors, services
from ..errors import DeskError, InvalidState, NotAllowed
from ..models import Liaison, Ticket
from .serializers import (
    DeskErrorSerializer,
    EscalateSerializer,
    LiaisonSerializer,
    ReopenSerializer,
    ReplySerializer,
    StaffTicketSerializer,
    TicketCreateSerializer,
    TicketSerializer,
)

ERRORS = {
    400: OpenApiResponse(description="Invalid input"),
    403: OpenApiResponse(DeskErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(description="No such ticket (or not yours / outside your scope)"),
    409: OpenApiResponse(DeskErrorSerializer, description="Not possible in the ticket's state"),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _raise_for(error: DeskError) -> NoReturn:
    detail = {"detail": str(error), "code": error.code}
    if isinstance(error, NotAllowed):
        raise exceptions.PermissionDenied(detail)
    if isinstance(error, InvalidState):
        raise Conflict(detail)
    raise exceptions.ValidationError(detail)


class IsPublicUser(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "kind", "") == "public")


def _mine(request: Request, number: str) -> Ticket:
    ticket = selectors.tickets_of_user(request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


class MyTicketListView(generics.ListAPIView[Ticket]):
    """My tickets, newest first; POST files a new one."""

    permission_classes = [IsPublicUser]
    serializer_class = TicketSerializer

    def get_queryset(self) -> Any:
        return selectors.tickets_of_user(self.request.user)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        body = TicketCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        enterprise = subject_unit = None
        if data["enterprise"] is not None:
            enterprise = Enterprise.objects.filter(pk=data["enterprise"]).first()
            if enterprise is None:
                raise exceptions.ValidationError({"enterprise": ["not found"]})
        if data["subject_unit"] is not None:
            subject_unit = Unit.objects.filter(pk=data["subject_unit"]).first()
        unit = None
        if data["unit"] is not None:
            unit = Unit.objects.filter(pk=data["unit"], is_active=True).first()
            if unit is None:
                raise exceptions.ValidationError({"unit": ["not found"]})
        try:
            ticket = services.ticket_submit(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                enterprise=enterprise,
                anonymous=data["anonymous"],
                unit=unit,
                complaint_reason=data["complaint_reason"],
                subject_unit=subject_unit,
                contact_mobile=data["contact_mobile"],
            )
        except DeskError as error:
            _raise_for(error)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class MyTicketDetailView(APIView):
    permission_classes = [IsPublicUser]

    @extend_schema(responses={200: TicketSerializer, 404: None})
    def get(self, request: Request, number: str) -> Response:
        return Response(TicketSerializer(_mine(request, number)).data)


class MyTicketAcceptView(APIView):
    permission_classes = [IsPublicUser]

    @extend_schema(request=None, responses={200: TicketSerializer, **ERRORS})
    def post(self, request: Request, number: str) -> Response:
        try:
            ticket = services.ticket_accept(actor=request.user, ticket=_mine(request, number))
        except DeskError as error:
            _raise_for(error)
        return Response(TicketSerializer(ticket).data)


class MyTicketReopenView(APIView):
    permission_classes = [IsPublicUser]

    @extend_schema(request=ReopenSerializer, responses={200: TicketSerializer, **ERRORS})
    def post(self, request: Request, number: str) -> Response:
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            ticket = services.ticket_reopen(
                actor=request.user,
                ticket=_mine(request, number),
                reason=body.validated_data["reason"],
            )
        except DeskError as error:
            _raise_for(error)
        return Response(TicketSerializer(ticket).data)


def _staff_ticket(request: Request, number: str) -> Ticket:
    ticket = selectors.tickets_for_officer(cast(User, request.user)).filter(number=number).first()
    if ticket is None:
        raise Http404
    return Ticket.objects.select_related("unit", "officer", "enterprise").get(pk=ticket.pk)


class StaffTicketListView(generics.ListAPIView[Ticket]):
    """Tickets of the officer's scope: green channel first, then escalated, then by due time."""

    permission_classes = [IsVerifiedOfficer]
    serializer_class = StaffTicketSerializer

    def get_queryset(self) -> Any:
        return selectors.tickets_for_officer(cast(User, self.request.user)).defer(None)


class StaffTicketDetailView(APIView):
    permission_classes = [IsVerifiedOfficer]

    @extend_schema(responses={200: StaffTicketSerializer, 404: None})
    def get(self, request: Request, number: str) -> Response:
        return Response(StaffTicketSerializer(_staff_ticket(request, number)).data)


class StaffTicketReplyView(APIView):
    permission_classes = [IsVerifiedOfficer]

    @extend_schema(request=ReplySerializer, responses={200: StaffTicketSerializer, **ERRORS})
    def post(self, request: Request, number: str) -> Response:
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            ticket = services.ticket_reply(
                actor=cast(User, request.user),
                ticket=_staff_ticket(request, number),
                reply=body.validated_data["reply"],
                rectification_days=body.validated_data["rectification_days"],
            )
        except DeskError as error:
            _raise_for(error)
        return Response(StaffTicketSerializer(ticket).data)


class StaffTicketEscalateView(APIView):
    permission_classes = [IsVerifiedOfficer]

    @extend_schema(request=EscalateSerializer, responses={200: StaffTicketSerializer, **ERRORS})
    def post(self, request: Request, number: str) -> Response:
        body = EscalateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            ticket = services.ticket_escalate(
                actor=cast(User, request.user),
                ticket=_staff_ticket(request, number),
                comment=body.validated_data["comment"],
            )
        except DeskError as error:
            _raise_for(error)
        return Response(StaffTicketSerializer(ticket).data)


class LiaisonListView(generics.ListAPIView[Liaison]):
    """The public green-channel liaison directory (filter with ?level= and ?police_type=)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = LiaisonSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.liaison_directory(
            level=params.get("level", ""), police_type=params.get("police_type", "")
        )
