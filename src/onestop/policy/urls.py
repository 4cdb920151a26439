from django.urls import path

from .views import public

app_name = "policy"

urlpatterns = [
    path("", public.index, name="index"),
    path("commitments/", public.commitment_list, name="commitments"),
    path("<slug:document>/<int:number>/", public.measure_detail, name="measure"),
]
