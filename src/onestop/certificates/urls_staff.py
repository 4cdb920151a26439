"""Staff pages of certificates, mounted at ``work/certificates/``."""

from django.urls import URLPattern, URLResolver

app_name = "certificates-staff"

urlpatterns: list[URLPattern | URLResolver] = []
