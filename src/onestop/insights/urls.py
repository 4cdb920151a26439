"""Commitments dashboard pages (namespace ``insights``), included at the site root: the public
summary under ``insights/`` and the staff view under ``work/insights/`` (like every other staff
page, so that the work portal's navigation and second-factor rules apply)."""

from django.urls import path

from .views import public, staff

app_name = "insights"

urlpatterns = [
    path("insights/", public.summary, name="public"),
    path("insights/<slug:key>/", public.metric, name="metric"),
    path("insights/<slug:key>.<slug:fmt>", public.export, name="export"),
    path("work/insights/", staff.summary, name="staff"),
    path("work/insights/reports/<int:year>-<int:month>.pdf", staff.report, name="staff-report"),
    path("work/insights/<slug:key>/", staff.metric, name="staff-metric"),
    path("work/insights/<slug:key>.<slug:fmt>", staff.export, name="staff-export"),
]
