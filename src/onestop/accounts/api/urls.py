from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("units/", views.UnitListView.as_view(), name="unit-list"),
    path("staff/units/<int:pk>/", views.StaffUnitDetailView.as_view(), name="staff-unit-detail"),
]
