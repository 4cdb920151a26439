"""Public pages of messaging, mounted at ``messaging/`` (namespace ``messaging``)."""

from django.urls import URLPattern, URLResolver

app_name = "messaging"

urlpatterns: list[URLPattern | URLResolver] = []
