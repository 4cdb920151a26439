"""Reads of the messaging app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .choices import Channel
from .models import Message

if TYPE_CHECKING:
    from onestop.accounts.models import User


def inbox(user: User) -> QuerySet[Message]:
    """The user's in-app messages, newest first."""
    return Message.objects.filter(recipient=user, channel=Channel.IN_APP).order_by(
        "-created_at", "-id"
    )


def unread_count(user: User) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def user_mobile(user: User) -> str:
    """The mobile reminders to this user go to: the real-name person's, else the account's."""
    from onestop.accounts.selectors import person_of

    person = person_of(user)
    if person is not None and person.mobile:
        return person.mobile
    return user.mobile or ""
