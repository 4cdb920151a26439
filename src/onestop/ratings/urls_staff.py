"""Staff pages of ratings, mounted at ``work/ratings/`` (namespace ``ratings-staff``)."""

from django.urls import URLPattern, URLResolver

app_name = "ratings-staff"

urlpatterns: list[URLPattern | URLResolver] = []
