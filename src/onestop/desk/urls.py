"""Public pages of desk, mounted at ``desk/`` (namespace ``desk``)."""

from django.urls import URLPattern, URLResolver

app_name = "desk"

urlpatterns: list[URLPattern | URLResolver] = []
