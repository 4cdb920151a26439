"""Staff pages of verification, mounted at ``work/verification/``."""

from django.urls import URLPattern, URLResolver, path

from .views import staff

app_name = "verification-staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff.alerts, name="alerts"),
    path("alerts/<int:pk>/", staff.alert_detail, name="alert"),
    path("audit/", staff.audit, name="audit"),
]
