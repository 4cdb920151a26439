from django.urls import path

from .views import staff

app_name = "workbench"

urlpatterns = [
    path("", staff.inbox, name="inbox"),
]
