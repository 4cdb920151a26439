"""Staff pages of messaging, mounted at ``work/messaging/`` (namespace ``messaging-staff``)."""

from django.urls import URLPattern, URLResolver, path

from .views import staff

app_name = "messaging-staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff.message_centre, name="centre"),
]
