from django.apps import AppConfig


class ConsentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from accounts import signals
        from consent import receivers

        signals.profile_created.connect(receivers.record_initial_choices, dispatch_uid="consent_initial_choices")
        signals.membership_fact_changing.connect(
            receivers.audit_change_of_effect, dispatch_uid="consent_audit_change_of_effect"
        )
