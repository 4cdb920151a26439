"""Staff pages of desk, mounted at ``work/desk/`` (namespace ``desk-staff``)."""

from django.urls import URLPattern, URLResolver

app_name = "desk-staff"

urlpatterns: list[URLPattern | URLResolver] = []
