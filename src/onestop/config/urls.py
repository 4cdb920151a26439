from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from onestop.core import views as core_views

# The admin requires a verified second factor, like the staff work portal.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

api_patterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("v1/", include("onestop.accounts.api.urls")),
    path("v1/policy/", include("onestop.policy.api.urls")),
    path("v1/catalogue/", include("onestop.catalogue.api.urls")),
    path("v1/cases/", include("onestop.cases.api.urls")),
    path("v1/staff/cases/", include("onestop.cases.api.urls_staff")),
    path("v1/payments/", include("onestop.payments.api.urls")),
    path("v1/delivery/", include("onestop.delivery.api.urls")),
    path("v1/messaging/", include("onestop.messaging.api.urls")),
    path("v1/certificates/", include("onestop.certificates.api.urls")),
    path("v1/seals/", include("onestop.seals.api.urls")),
    path("v1/desk/", include("onestop.desk.api.urls")),
    path("v1/ratings/", include("onestop.ratings.api.urls")),
    path("v1/verification/", include("onestop.verification.api.urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("work/cases/", include("onestop.cases.urls_staff")),
    path("work/policy/", include("onestop.policy.urls_staff")),
    path("work/audit/", include("onestop.core.urls_audit")),
    path("work/units/", include("onestop.accounts.urls_staff")),
    path("work/catalogue/", include("onestop.catalogue.urls_staff")),
    path("work/payments/", include("onestop.payments.urls_staff")),
    path("work/delivery/", include("onestop.delivery.urls_staff")),
    path("work/messaging/", include("onestop.messaging.urls_staff")),
    path("work/certificates/", include("onestop.certificates.urls_staff")),
    path("work/seals/", include("onestop.seals.urls_staff")),
    path("work/desk/", include("onestop.desk.urls_staff")),
    path("work/ratings/", include("onestop.ratings.urls_staff")),
    path("work/verification/", include("onestop.verification.urls_staff")),
    path("work/", include("onestop.workbench.urls")),
    path("policy/", include("onestop.policy.urls")),
    path("services/", include("onestop.catalogue.urls")),
    path("cases/", include("onestop.cases.urls")),
    path("payments/", include("onestop.payments.urls")),
    path("delivery/", include("onestop.delivery.urls")),
    path("messaging/", include("onestop.messaging.urls")),
    path("certificates/", include("onestop.certificates.urls")),
    path("seals/", include("onestop.seals.urls")),
    path("desk/", include("onestop.desk.urls")),
    path("ratings/", include("onestop.ratings.urls")),
    path("verification/", include("onestop.verification.urls")),
    path("", include("onestop.insights.urls")),
    path("", include("onestop.accounts.urls")),
    path("", include("onestop.portal.urls")),
]
