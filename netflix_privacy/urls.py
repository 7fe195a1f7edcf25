from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views

admin.site.site_header = "Privacy Center support"
admin.site.site_title = "Privacy Center support"
admin.site.index_title = "Accounts, profiles and consent"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profiles/", account_views.profiles, name="profiles"),
    path("profiles/add/", account_views.profile_add, name="profile_add"),
    path("account/", account_views.account, name="account"),
    path("account/phone/", account_views.phone, name="phone"),
    path("account/", include("consent.urls")),
    path("admin/", admin.site.urls),
]
