"""Applicant pages of cases, mounted at ``cases/`` (namespace ``cases``)."""

from django.urls import path

from .views import public

app_name = "cases"

urlpatterns = [
    path("apply/<int:item_id>/", public.apply, name="apply"),
    path("mine/", public.mine, name="mine"),
    path("mine/<str:number>/", public.mine_detail, name="mine-detail"),
    path("mine/<str:number>/withdraw/", public.withdraw, name="withdraw"),
    path("mine/<str:number>/supply/", public.supply, name="supply"),
    path("lookup/", public.lookup, name="lookup"),
    path("<str:number>/receipt/", public.receipt, name="receipt"),
]
