from django.urls import path

from consent.views import devices, history, preferences, privacy

app_name = "consent"

urlpatterns = [
    path("profiles/<uuid:profile>/privacy/", privacy.privacy_settings, name="privacy"),
    path("profiles/<uuid:profile>/emails/", preferences.email_preferences, name="emails"),
    path("texts/", preferences.text_preferences, name="texts"),
    path("privacy-history/", history.privacy_history, name="history"),
    path("devices/", devices.devices, name="devices"),
]
