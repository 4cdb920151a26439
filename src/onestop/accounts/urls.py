from django.urls import path

from .views import public, staff

app_name = "accounts"

urlpatterns = [
    path("account/", public.account, name="account"),
    path("account/login/", public.login_view, name="login"),
    path("account/login/sms/", public.login_sms, name="login-sms"),
    path("account/logout/", public.logout_view, name="logout"),
    path("account/register/", public.register, name="register"),
    path("account/verify-mobile/", public.verify_mobile, name="verify-mobile"),
    path("account/enterprises/bind/", public.enterprise_bind, name="enterprise-bind"),
    path("account/enterprises/<int:pk>/", public.enterprise_detail, name="enterprise"),
    path(
        "account/enterprises/<int:pk>/agents/<int:membership_pk>/revoke/",
        public.enterprise_revoke,
        name="enterprise-revoke",
    ),
    path("account/demo-outbox/", public.demo_outbox, name="demo-outbox"),
    path("work/login/", staff.staff_login, name="staff-login"),
    path("work/login/verify/", staff.staff_login_verify, name="staff-login-verify"),
    path("work/logout/", staff.staff_logout, name="staff-logout"),
]
