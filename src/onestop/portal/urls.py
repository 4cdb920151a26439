from django.urls import path

from .views import public

app_name = "portal"

urlpatterns = [
    path("", public.home, name="home"),
    path("accessibility/large-text/", public.toggle_large_text, name="large-text"),
]
