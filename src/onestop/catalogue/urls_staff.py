from django.urls import path

from .views import staff

app_name = "catalogue-staff"

urlpatterns = [
    path("", staff.item_list, name="items"),
    path("<int:pk>/", staff.item_history, name="item"),
    path("<int:pk>/draft/", staff.item_draft, name="create-draft"),
    path("<int:pk>/draft/edit/", staff.draft_edit, name="draft"),
]
