"""Public pages of verification, mounted at ``verification/`` (namespace ``verification``)."""

from django.urls import URLPattern, URLResolver

app_name = "verification"

urlpatterns: list[URLPattern | URLResolver] = []
