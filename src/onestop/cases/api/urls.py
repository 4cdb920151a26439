"""Mounted at ``/api/v1/cases/``: the signed-in applicant's cases."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.MyCaseListView.as_view(), name="cases-api-mine"),
    path("<str:ref>/", views.MyCaseDetailView.as_view(), name="cases-api-detail"),
    path("<str:ref>/submit/", views.MyCaseSubmitView.as_view(), name="cases-api-submit"),
    path("<str:ref>/withdraw/", views.MyCaseWithdrawView.as_view(), name="cases-api-withdraw"),
    path(
        "<str:ref>/materials/",
        views.MyCaseMaterialUploadView.as_view(),
        name="cases-api-material-upload",
    ),
    path("<str:ref>/supply/", views.MyCaseSupplyView.as_view(), name="cases-api-supply"),
]
