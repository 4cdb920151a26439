"""Staff pages of payments, mounted at ``work/payments/`` (namespace ``payments-staff``)."""

from django.urls import URLPattern, URLResolver

app_name = "payments-staff"

urlpatterns: list[URLPattern | URLResolver] = []
