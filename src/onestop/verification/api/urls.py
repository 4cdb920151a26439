"""Mounted at ``/api/v1/verification/``."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("batches/", views.BatchListView.as_view(), name="verification-batches"),
    path("batches/<uuid:job_id>/", views.BatchDetailView.as_view(), name="verification-batch"),
    path(
        "batches/<uuid:job_id>/result/",
        views.BatchResultView.as_view(),
        name="verification-batch-result",
    ),
    path("partner-checks/", views.PartnerCheckView.as_view(), name="verification-partner-check"),
]
