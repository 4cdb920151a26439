from django.urls import path

from .views import staff

app_name = "policy-staff"

urlpatterns = [
    path("", staff.measure_list, name="measures"),
    path("<slug:document>/<int:number>/", staff.measure_detail, name="measure"),
    path("<slug:document>/<int:number>/progress/", staff.progress_create, name="progress"),
    path("<slug:document>/<int:number>/notes/", staff.note_create, name="note"),
]
