"""Staff pages of desk, mounted at ``work/desk/`` (namespace ``desk-staff``)."""

from django.urls import path

from .views import knowledge, staff, supervision

app_name = "desk-staff"

urlpatterns = [
    path("", staff.inbox, name="inbox"),
    path("record/", staff.record, name="record"),
    path("supervision/", supervision.supervision, name="supervision"),
    path("supervision/add/", supervision.supervisor_add, name="supervisor-add"),
    path("supervision/evaluate/", supervision.evaluate, name="evaluate"),
    path("supervision/visits/<int:pk>/respond/", supervision.visit_respond, name="visit-respond"),
    path("kb/", knowledge.kb_staff, name="kb"),
    path("kb/new/", knowledge.kb_edit, name="kb-new"),
    path("kb/<int:pk>/", knowledge.kb_edit, name="kb-edit"),
    path("<str:number>/", staff.detail, name="ticket"),
    path("<str:number>/to-article/", knowledge.kb_from_ticket, name="to-article"),
    path("<str:number>/reply/", staff.reply, name="reply"),
    path("<str:number>/escalate/", staff.escalate, name="escalate"),
    path("<str:number>/rectify/", staff.rectify, name="rectify"),
    path("<str:number>/reveal/", staff.reveal, name="reveal"),
]
