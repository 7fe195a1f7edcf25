from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts import receivers
        from accounts.models import Profile

        # A profile saved anywhere (services, the admin) or deleted with its account: its account's kept facts
        # are read afresh once that commits (accounts.selectors).
        post_save.connect(receivers.profile_changed, sender=Profile, dispatch_uid="accounts_profile_saved")
        post_delete.connect(receivers.profile_changed, sender=Profile, dispatch_uid="accounts_profile_deleted")
