"""Mounted at ``/api/v1/messaging/``."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("receipts/<slug:provider>/", views.sms_receipts, name="messaging-api-receipts"),
]
