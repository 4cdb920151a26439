"""Mounted at ``/api/v1/staff/cases/``: cases of the verified officer's unit subtree."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.StaffCaseListView.as_view(), name="cases-api-staff-list"),
    path("<str:number>/", views.StaffCaseDetailView.as_view(), name="cases-api-staff-detail"),
    path(
        "<str:number>/actions/<str:action>/",
        views.StaffCaseActionView.as_view(),
        name="cases-api-staff-action",
    ),
]
