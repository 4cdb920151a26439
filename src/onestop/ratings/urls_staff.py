"""Staff pages of ratings, mounted at ``work/ratings/`` (namespace ``ratings-staff``)."""

from django.urls import path

from .views import staff

app_name = "ratings-staff"

urlpatterns = [
    path("", staff.tasks, name="tasks"),
    path("<int:pk>/", staff.task_detail, name="task"),
    path("<int:pk>/<str:action>/", staff.task_act, name="task-act"),
]
