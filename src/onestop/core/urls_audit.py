"""Mounted at /work/audit/ by config/urls.py."""

from django.urls import path

from onestop.core import views_audit

app_name = "audit"

urlpatterns = [
    path("", views_audit.audit_search, name="search"),
]
