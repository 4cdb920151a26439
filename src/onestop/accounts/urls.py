from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"

# Placeholder routes; replaced by the real public and staff login flows.
urlpatterns = [
    path("account/login/", auth_views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("work/login/", auth_views.LoginView.as_view(), name="staff-login"),
    path("work/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
]
