from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("profiles/<uuid:profile>/privacy/", views.privacy_settings, name="privacy"),
    path("profiles/<uuid:profile>/emails/", views.email_preferences, name="emails"),
    path("texts/", views.text_preferences, name="texts"),
]
