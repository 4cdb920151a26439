"""Public pages of seals, mounted at ``seals/`` (namespace ``seals``)."""

from django.urls import URLPattern, URLResolver

app_name = "seals"

urlpatterns: list[URLPattern | URLResolver] = []
