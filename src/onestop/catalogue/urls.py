from django.urls import path

from .views import public

app_name = "catalogue"

urlpatterns = [
    path("", public.home, name="home"),
    path("items/<int:pk>/", public.item_detail, name="item"),
    path("lists/", public.lists_index, name="lists"),
    path("lists/items/<slug:slug>/", public.list_detail, name="list"),
    path("lists/<slug:kind>/", public.other_list, name="other-list"),
]
