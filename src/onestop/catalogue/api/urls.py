from django.urls import path

from . import views

urlpatterns = [
    path("items/", views.ItemListView.as_view(), name="catalogue-item-list"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="catalogue-item-detail"),
    path("lists/", views.ListIndexView.as_view(), name="catalogue-lists"),
    path("shares/", views.ShareView.as_view(), name="catalogue-shares"),
]
