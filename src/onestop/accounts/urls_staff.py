"""Staff pages about units; included at "work/units/" with namespace "staff-units"."""

from django.urls import path

from .views import staff

app_name = "staff-units"

urlpatterns = [
    path("<int:pk>/", staff.unit_detail, name="detail"),
]
