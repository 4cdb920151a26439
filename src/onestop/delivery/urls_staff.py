"""Staff pages of delivery, mounted at ``work/delivery/`` (namespace ``delivery-staff``)."""

from django.urls import path

from .views import staff

app_name = "delivery-staff"

urlpatterns = [
    path("", staff.shipments, name="shipments"),
    path("<str:number>/", staff.shipment, name="shipment"),
    path("<str:number>/demo-advance/", staff.demo_advance, name="demo-advance"),
]
