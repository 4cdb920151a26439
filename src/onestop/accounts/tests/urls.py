"""Test URLconf: the project's URLs plus the staff unit pages at work/units/ (until the project
URLconf includes ``onestop.accounts.urls_staff`` itself)."""

from django.urls import URLResolver, include, path

from onestop.config.urls import urlpatterns as project_urlpatterns

_mounted = any(
    isinstance(p, URLResolver) and p.namespace == "staff-units" for p in project_urlpatterns
)
urlpatterns = (
    list(project_urlpatterns)
    if _mounted
    else [path("work/units/", include("onestop.accounts.urls_staff")), *project_urlpatterns]
)
