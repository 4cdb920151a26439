"""Staff pages of seals, mounted at ``work/seals/`` (namespace ``seals-staff``)."""

from django.urls import URLPattern, URLResolver

app_name = "seals-staff"

urlpatterns: list[URLPattern | URLResolver] = []
