"""Mounted at ``/api/v1/ratings/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.RateView.as_view(), name="ratings-api-rate"),
    path("stats/", views.StatsView.as_view(), name="ratings-api-stats"),
]
