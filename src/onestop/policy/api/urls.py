from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("measures/", views.MeasureListView.as_view(), name="measure-list"),
    path(
        "measures/<slug:document>/<int:number>/",
        views.MeasureDetailView.as_view(),
        name="measure-detail",
    ),
    path("commitments/", views.CommitmentListView.as_view(), name="commitment-list"),
    path(
        "commitments/<slug:code>/", views.CommitmentDetailView.as_view(), name="commitment-detail"
    ),
]
