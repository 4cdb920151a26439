"""Demo data of the messaging app, on top of ``manage.py demo_load`` (persons, units): default
templates, register documents of the demo persons (some due for a reminder today), a synthetic
register of 2,000 documents, and a welcome message in each demo person's message centre."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from onestop.accounts.models import Person
from onestop.core.pii import lookup_hash
from onestop.demo.people import PEOPLE

from .choices import Channel
from .defaults import templates_install
from .models import Message, MessageTemplate, RegisterDocument
from .reminders import register_document_upsert, synthetic_documents

# (id number of the demo person, document type, number, days to expiry)
DEMO_DOCUMENTS = [
    ("120101198503121230", "driving_licence", "120101198503121230", 30),
    ("120101198503121230", "id_card", "120101198503121230", 200),
    ("120103199007152342", "residence_permit", "JZZ1201030001234", 7),
    ("45010219880101345X", "annual_inspection", "桂A·D1234", 90),
    ("450302199205204562", "exit_entry", "E12345678", 180),
]


def load_demo() -> None:
    templates_install(MessageTemplate)
    today = timezone.localdate()
    wanted = {id_number for id_number, *_rest in DEMO_DOCUMENTS} | {p.id_number for p in PEOPLE}
    persons = {
        n: p
        for n in wanted
        if (
            p := Person.objects.select_related("user")
            .filter(id_number_hash=lookup_hash(n, kind="resident_id"))
            .first()
        )
        is not None
    }
    for id_number, doc_type, number, days in DEMO_DOCUMENTS:
        person = persons.get(id_number)
        if person is None:
            continue
        register_document_upsert(
            doc_type=doc_type,
            number=number,
            holder_name=person.name,
            holder_mobile=person.mobile,
            expires_on=today + timedelta(days=days),
            source="demo",
            today=today,
        )
    for person in persons.values():
        if (
            person.user_id
            and not Message.objects.filter(idempotency_key=f"demo-welcome-{person.pk}").exists()
        ):
            Message.objects.create(
                event="demo.welcome",
                channel=Channel.IN_APP,
                recipient=person.user,
                subject="欢迎使用消息中心",
                body="办件进度、补正通知和证件到期提醒都会发到这里，也会同时发送短信。",
                status="delivered",
                delivered_at=timezone.now(),
                idempotency_key=f"demo-welcome-{person.pk}",
            )
    if not RegisterDocument.objects.filter(source="synthetic").exists():
        synthetic_documents(count=2000, today=today, seed=7)
