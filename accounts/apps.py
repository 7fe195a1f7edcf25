from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts import receivers
        from accounts.models import Account, PhoneNumber, Profile

        # A profile saved anywhere (services, the admin) or deleted with its account: its account's kept facts
        # are read afresh once that commits (accounts.selectors).
        post_save.connect(receivers.profile_changed, sender=Profile, dispatch_uid="accounts_profile_saved")
        post_delete.connect(receivers.profile_changed, sender=Profile, dispatch_uid="accounts_profile_deleted")
        # The signed-in account, kept with its phone (accounts.backends): a password, email, staff flag or phone
        # changed anywhere is in effect on the next request, and a deleted one leaves no copy in the cache.
        post_save.connect(receivers.account_saved, sender=Account, dispatch_uid="accounts_account_saved")
        post_delete.connect(receivers.account_deleted, sender=Account, dispatch_uid="accounts_account_deleted")
        post_save.connect(receivers.phone_saved, sender=PhoneNumber, dispatch_uid="accounts_phone_saved")
        post_delete.connect(receivers.phone_deleted, sender=PhoneNumber, dispatch_uid="accounts_phone_deleted")
