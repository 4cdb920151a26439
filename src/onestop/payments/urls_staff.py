"""Staff pages of payments, mounted at ``work/payments/`` (namespace ``payments-staff``)."""

from django.urls import path

from .views import staff

app_name = "payments-staff"

urlpatterns = [
    path("", staff.orders, name="orders"),
    path("order/<str:number>/", staff.order, name="order"),
    path("reconciliation/", staff.reconciliation, name="reconciliation"),
    path("reconciliation/<int:pk>/", staff.reconciliation_run, name="reconciliation-run"),
]
