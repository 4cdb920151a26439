"""Public pages of certificates, mounted at ``certificates/`` (namespace ``certificates``)."""

from django.urls import URLPattern, URLResolver

app_name = "certificates"

urlpatterns: list[URLPattern | URLResolver] = []
