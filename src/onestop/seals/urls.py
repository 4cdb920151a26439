"""Public pages of seals, mounted at ``seals/`` (namespace ``seals``)."""

from django.urls import URLPattern, URLResolver, path

from .views import public

app_name = "seals"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public.index, name="index"),
    path("order/", public.order_new, name="order-new"),
    path("orders/<str:number>/", public.order_detail, name="order"),
    path(
        "orders/<str:number>/seals/<int:seal_pk>/eseal/", public.eseal_create, name="eseal-create"
    ),
    path("orders/<str:number>/seals/<int:seal_pk>/revoke/", public.seal_revoke, name="seal-revoke"),
    path("sign/", public.sign, name="sign"),
    path("verify/", public.verify, name="verify"),
    path("verify-pdf/", public.verify_pdf, name="verify-pdf"),
    path("imprint/<str:code>.png", public.imprint, name="imprint"),
    path("shop/", public.shop_queue, name="shop"),
    path("shop/orders/<str:number>/", public.shop_order, name="shop-order"),
]
