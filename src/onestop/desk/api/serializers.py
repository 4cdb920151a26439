"""Desk API serializers. Responses are explicit field lists: the sealed identity never appears,
and for an anonymous ticket neither does any reporter field (name, mobile, user)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onestop.core.pii import mask_mobile

from .. import selectors
from ..choices import (
    ComplaintReason,
    TicketKind,
)
from ..models import Liaison, Ticket


class TicketCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=TicketKind.choices)
    title = serializers.CharField(max_length=120)
    body = serializers.CharField()
    enterprise = serializers.IntegerField(required=False, allow_null=True, default=None)
    anonymous = serializers.BooleanField(required=False, default=False)
    complaint_reason = serializers.ChoiceField(
        choices=ComplaintReason.choices, required=False, allow_blank=True, default=""
    )
    subject_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    unit = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Responsible unit (optional)."
    )
    contact_mobile = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20
    )


class ReopenSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class ReplySerializer(serializers.Serializer[Any]):
    reply = serializers.CharField()
    rectification_days = serializers.IntegerField(required=False, allow_null=True, default=None)


class EscalateSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField()


class DeskErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField()


class TimelineEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    label = serializers.CharField()  # type: ignore[assignment]
    who = serializers.CharField()
    note = serializers.CharField()


_COMMON = (
    "number",
    "kind",
    "source",
    "state",
    "title",
    "body",
    "green",
    "anonymous",
    "unit_name",
    "submitted_at",
    "due_at",
    "due_provisional",
    "reply",
    "replied_at",
    "escalation_level",
    "rectification_due_at",
    "rectified_at",
    "closed_at",
)


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    """The asker's view of their own ticket."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = (*_COMMON, "timeline")
        read_only_fields = fields

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, ticket: Ticket) -> Any:
        entries = selectors.ticket_timeline(ticket, staff=False)
        return TimelineEntrySerializer(entries, many=True).data


class StaffTicketSerializer(serializers.ModelSerializer[Ticket]):
    """The officer's view: the reporter's name and masked mobile, unless the ticket is anonymous
    (then both are empty; the identity is only available through the audited reveal page)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    reporter = serializers.SerializerMethodField()
    reporter_mobile = serializers.SerializerMethodField()
    enterprise_name = serializers.SerializerMethodField()
    officer = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = (
            *_COMMON,
            "reporter",
            "reporter_mobile",
            "enterprise_name",
            "officer",
            "complaint_reason",
        )
        read_only_fields = fields

    def get_reporter(self, ticket: Ticket) -> str:
        return "" if ticket.anonymous else ticket.reporter_name

    def get_reporter_mobile(self, ticket: Ticket) -> str:
        return "" if ticket.anonymous else mask_mobile(ticket.contact_mobile or "")

    def get_enterprise_name(self, ticket: Ticket) -> str:
        return ticket.enterprise.name if ticket.enterprise else ""

    def get_officer(self, ticket: Ticket) -> str:
        officer = ticket.officer
        return (officer.get_full_name() or officer.get_username()) if officer else ""


class LiaisonSerializer(serializers.ModelSerializer[Liaison]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Liaison
        fields = ("name", "title", "unit_name", "level", "police_type", "phone")
        read_only_fields = fields
