"""Staff pages of certificates, mounted at ``work/certificates/``."""

from django.urls import URLPattern, URLResolver, path

from .views import staff

app_name = "certificates-staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff.certificate_list, name="list"),
    path("<int:pk>/", staff.certificate_detail, name="detail"),
    path("keys/", staff.keys, name="keys"),
    path("keys/rotate/", staff.key_rotate, name="key-rotate"),
]
