"""Mounted at ``/api/v1/desk/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("liaisons/", views.LiaisonListView.as_view(), name="desk-api-liaisons"),
    path("tickets/", views.MyTicketListView.as_view(), name="desk-api-mine"),
    path("tickets/<str:number>/", views.MyTicketDetailView.as_view(), name="desk-api-detail"),
    path(
        "tickets/<str:number>/accept/", views.MyTicketAcceptView.as_view(), name="desk-api-accept"
    ),
    path(
        "tickets/<str:number>/reopen/", views.MyTicketReopenView.as_view(), name="desk-api-reopen"
    ),
    path("staff/tickets/", views.StaffTicketListView.as_view(), name="desk-api-staff-list"),
    path(
        "staff/tickets/<str:number>/",
        views.StaffTicketDetailView.as_view(),
        name="desk-api-staff-detail",
    ),
    path(
        "staff/tickets/<str:number>/reply/",
        views.StaffTicketReplyView.as_view(),
        name="desk-api-staff-reply",
    ),
    path(
        "staff/tickets/<str:number>/escalate/",
        views.StaffTicketEscalateView.as_view(),
        name="desk-api-staff-escalate",
    ),
]
