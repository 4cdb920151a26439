"""Public pages of delivery, mounted at ``delivery/`` (namespace ``delivery``)."""

from django.urls import path

from .views import public

app_name = "delivery"

urlpatterns = [
    path("address/<str:number>/", public.address, name="address"),
    path("track/<str:number>/", public.track, name="track"),
    path("push/<str:courier>/", public.push, name="push"),
]
