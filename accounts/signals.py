"""What accounts tells the apps built on it, so that it never imports them (consent depends on accounts).

Each signal is sent by accounts.services inside the service's transaction, with the account row locked, so a
receiver that writes (consent records starting choices and audits a change of a choice's effect) commits or
rolls back with the change itself. Receivers are connected in their app's AppConfig.ready().
"""

from django.dispatch import Signal

# A profile was created. Arguments: profile, account (locked), acting_user (None for sign-up and system).
profile_created = Signal()

# Facts a choice's effect depends on are about to change (kids flag, plan): sent before the row is saved.
# Arguments: account (locked), profile (None for an account-wide fact), fact ("is_kids" or "plan"),
# old, new, acting_user.
membership_fact_changing = Signal()

# The account's phone number was deleted (R-SMS-2). Arguments: account, acting_user. Never the number.
phone_deleted = Signal()

# The account's phone number was added or replaced by someone acting for the member (support staff, R-AU-4).
# Arguments: account, acting_user. Never the numbers.
phone_changed = Signal()
# The account got a phone number where it had none (R-API-3: the text categories may now answer true). Arguments:
# account. Never the number.
phone_added = Signal()

# The email address the account signs in with was changed (by support staff). Arguments: account (locked, already
# saved with the new address), acting_user. Never the addresses: a receiver has no use for them and must not keep
# them.
email_changed = Signal()
