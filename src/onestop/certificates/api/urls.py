"""Mounted at ``/api/v1/certificates/``."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.VerifyView.as_view(), name="certificates-api-verify"),
    path("keys/", views.KeysView.as_view(), name="certificates-api-keys"),
    path("status-list/", views.StatusListView.as_view(), name="certificates-api-status-list"),
]
