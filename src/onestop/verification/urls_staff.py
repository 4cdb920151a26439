"""Staff pages of verification, mounted at ``work/verification/``."""

from django.urls import URLPattern, URLResolver

app_name = "verification-staff"

urlpatterns: list[URLPattern | URLResolver] = []
