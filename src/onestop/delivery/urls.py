"""Public pages of delivery, mounted at ``delivery/`` (namespace ``delivery``)."""

from django.urls import URLPattern, URLResolver

app_name = "delivery"

urlpatterns: list[URLPattern | URLResolver] = []
