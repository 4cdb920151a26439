from django.urls import path

from . import views

urlpatterns = [
    path("items/", views.ItemListView.as_view(), name="catalogue-item-list"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="catalogue-item-detail"),
    path("lists/", views.ListIndexView.as_view(), name="catalogue-lists"),
    path("shares/", views.ShareView.as_view(), name="catalogue-shares"),
    path("lists/proofs/", views.ProofListView.as_view(), name="catalogue-proofs"),
    path("lists/no-penalty/", views.NoPenaltyListView.as_view(), name="catalogue-no-penalty"),
    path("lists/inspections/", views.InspectionListView.as_view(), name="catalogue-inspections"),
]
