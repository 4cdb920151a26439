"""Public pages of payments, mounted at ``payments/`` (namespace ``payments``)."""

from django.urls import URLPattern, URLResolver

app_name = "payments"

urlpatterns: list[URLPattern | URLResolver] = []
