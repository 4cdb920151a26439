from django.urls import path

from .views import staff

app_name = "cases-staff"

urlpatterns = [
    path("", staff.inbox, name="inbox"),
    path("<str:number>/", staff.case_detail, name="case"),
    path("<str:number>/<slug:action>/", staff.case_act, name="act"),
]
