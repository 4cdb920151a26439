"""Public pages of certificates, mounted at ``certificates/`` (namespace ``certificates``)."""

from django.urls import URLPattern, URLResolver, path

from .views import public

app_name = "certificates"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public.wallet, name="wallet"),
    path("<int:pk>/", public.detail, name="detail"),
    path("<int:pk>/pdf/", public.pdf, name="pdf"),
    path("<int:pk>/qr.png", public.qr, name="qr"),
    path("<int:pk>/shares/<int:share_pk>/revoke/", public.share_revoke, name="share-revoke"),
    path("verify/", public.verify, name="verify"),
    path("v/<str:token>/", public.verify_token, name="verify-token"),
    path("s/<str:token>/", public.share, name="share"),
    path("s/<str:token>/pdf/", public.share_pdf, name="share-pdf"),
]
