"""Public pages of ratings, mounted at ``ratings/`` (namespace ``ratings``)."""

from django.urls import path

from .views import public

app_name = "ratings"

urlpatterns = [
    path("", public.stats, name="stats"),
    path("rate/case/<str:number>/", public.rate_case, name="rate-case"),
    path("rate/ticket/<str:number>/", public.rate_ticket, name="rate-ticket"),
]
