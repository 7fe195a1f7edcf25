from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from accounts.forms import NewPasswordForm, ThrottledPasswordResetForm
from consent.api import api
from consent.views import cookies, public, unsubscribe, webhooks

handler500 = "common.views.server_error"

admin.site.site_header = "Privacy Center support"
admin.site.site_title = "Privacy Center support"
admin.site.index_title = "Accounts, profiles and consent"
# The console's lists (consent events, profiles with their choices) need the width at 1280 px more than a
# second menu beside the breadcrumbs and the index.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", public.home, name="home"),
    path("cookies/", cookies.cookie_settings, name="cookies"),
    path("privacy/", public.privacy_statement, name="privacy_statement"),
    path("privacy/do-not-sell/", public.do_not_sell, name="do_not_sell"),
    path(".well-known/gpc.json", public.gpc_json, name="gpc_json"),
    path("language/", account_views.set_language, name="set_language"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/text/", account_views.password_reset_text, name="password_reset_text"),
    path("password-reset/text/code/", account_views.password_reset_text_code, name="password_reset_text_code"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profiles/", account_views.profiles, name="profiles"),
    path("profiles/add/", account_views.profile_add, name="profile_add"),
    path("account/", account_views.account, name="account"),
    path("account/phone/", account_views.phone, name="phone"),
    path("account/", include("consent.urls")),
    # The signed token travels in the query string (?t=...), which no log keeps (gunicorn.conf.py, Django's own
    # request logging): a path would put it in every access log line.
    path("unsubscribe/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("webhooks/sms/inbound/", webhooks.sms_inbound, name="sms_inbound"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
