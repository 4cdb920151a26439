"""Public pages of messaging, mounted at ``messaging/`` (namespace ``messaging``)."""

from django.urls import URLPattern, URLResolver, path

from .views import public

app_name = "messaging"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public.message_centre, name="centre"),
    path("<int:pk>/open/", public.message_open, name="open"),
    path("<int:pk>/read/", public.message_read, name="read"),
    path("read-all/", public.message_read_all, name="read-all"),
    path("reminders/", public.reminder_preference, name="reminders"),
]
