from django.urls import path

from .views import staff

app_name = "cases-staff"

urlpatterns = [
    path("", staff.inbox, name="inbox"),
    path("supervision/", staff.supervision, name="supervision"),
    path("bulk-accept/", staff.bulk_accept, name="bulk-accept"),
    path("<str:number>/", staff.case_detail, name="case"),
    path("<str:number>/<slug:action>/", staff.case_act, name="act"),
]
