"""Staff pages of messaging, mounted at ``work/messaging/`` (namespace ``messaging-staff``)."""

from django.urls import URLPattern, URLResolver

app_name = "messaging-staff"

urlpatterns: list[URLPattern | URLResolver] = []
