from django.apps import AppConfig


class ConsentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete

        from accounts import signals
        from accounts.models import Profile
        from consent import checks, receivers, selectors  # noqa: F401  # checks registers the system checks
        from consent.models import Cookie, Jurisdiction

        # A jurisdiction or cookie saved or deleted (the admin, a data migration): every process reads the rules
        # afresh once that commits.
        for model in (Jurisdiction, Cookie):
            post_save.connect(selectors.rules_changed, sender=model, dispatch_uid=f"rules_saved_{model.__name__}")
            post_delete.connect(selectors.rules_changed, sender=model, dispatch_uid=f"rules_deleted_{model.__name__}")
        # A data migration edits them through historical models, which send no signals to these receivers.
        post_migrate.connect(selectors.rules_changed, sender=self, dispatch_uid="rules_migrated")

        signals.profile_created.connect(receivers.record_initial_choices, dispatch_uid="consent_initial_choices")
        signals.membership_fact_changing.connect(
            receivers.audit_change_of_effect, dispatch_uid="consent_audit_change_of_effect"
        )
        signals.phone_deleted.connect(receivers.record_phone_deleted, dispatch_uid="consent_phone_deleted")
        signals.phone_changed.connect(receivers.record_phone_changed, dispatch_uid="consent_phone_changed")
        signals.phone_added.connect(receivers.record_phone_added, dispatch_uid="consent_phone_added")
        # A profile deleted (alone, or with its account in the admin): the feed tells downstream copies to drop it.
        pre_delete.connect(receivers.record_profile_deleted, sender=Profile, dispatch_uid="consent_profile_deleted")
        signals.email_changed.connect(receivers.record_email_changed, dispatch_uid="consent_email_changed")
