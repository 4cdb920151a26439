"""Public pages of payments, mounted at ``payments/`` (namespace ``payments``)."""

from django.urls import path

from .views import public

app_name = "payments"

urlpatterns = [
    path("order/<str:number>/", public.order_pay, name="order-pay"),
    path("order/<str:number>/receipt.pdf", public.receipt, name="receipt"),
    path("demo-cashier/<str:number>/", public.demo_cashier, name="demo-cashier"),
    path("notify/<str:provider>/", public.notify, name="notify"),
    path("mine/", public.mine, name="mine"),
    path("fines/", public.fine, name="fine"),
]
