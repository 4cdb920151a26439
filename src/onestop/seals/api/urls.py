"""Mounted at ``/api/v1/seals/``."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.SealVerifyView.as_view(), name="seals-api-verify"),
]
