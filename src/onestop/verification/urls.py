"""Public pages of verification, mounted at ``verification/`` (namespace ``verification``)."""

from django.urls import URLPattern, URLResolver, path

from .views import public

app_name = "verification"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public.index, name="index"),
    path("template.csv", public.template_csv, name="template"),
    path("jobs/<uuid:job_id>/", public.job_detail, name="job"),
    path("jobs/<uuid:job_id>/progress/", public.job_progress, name="job-progress"),
    path("jobs/<uuid:job_id>/result/", public.job_result, name="job-result"),
    path("<str:credit_code>/batch/", public.batch_new, name="batch-new"),
    path("<str:credit_code>/partner/", public.partner, name="partner"),
    path("<str:credit_code>/manage/", public.manage, name="manage"),
    path("<str:credit_code>/keys/<str:prefix>/revoke/", public.key_revoke, name="key-revoke"),
]
