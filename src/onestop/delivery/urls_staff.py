"""Staff pages of delivery, mounted at ``work/delivery/`` (namespace ``delivery-staff``)."""

from django.urls import URLPattern, URLResolver

app_name = "delivery-staff"

urlpatterns: list[URLPattern | URLResolver] = []
