from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("profiles/<uuid:profile>/privacy/", views.privacy_settings, name="privacy"),
]
