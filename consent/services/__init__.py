"""Every change of consent state goes through here: atomic, audited in the same transaction, idempotent.

One module per area; callers use the names below (`from consent import services; services.choices_set(...)`).

- `choices`: the one writer (`choices_set`) and the members' and staff's changes through it ("Opt out of all",
  "Opt all profiles out of all", choices set under the signal, a new profile's starting values, the audit of a
  change of a choice's effect);
- `signal`: an honoured Global Privacy Control signal applied to the account;
- `communications`: one-click unsubscribe, inbound STOP and the replies to texts (in the member's language), the
  phone's deletion and the email's change on the trail;
- `devices`: the mobile app's devices and tokens (their lifetime and per-account limits), and a member signing a
  device out.
- `feed`: the change feed's entries (R-API-3), written in the transaction of each change that may alter an
  answer, and their retention purge.
"""

from consent.services.choices import (
    Actor,
    ChoiceNotAvailable,
    NotPrimaryProfile,
    SignalConflict,
    WrongScope,
    account_opt_all_profiles_out,
    audit_change_of_effect,
    choices_set,
    device_event_ref,
    profile_opt_out_of_all,
    profile_record_initial_choices,
    profile_set_choices,
)
from consent.services.communications import (
    account_email_changed,
    account_phone_added,
    account_phone_changed,
    account_phone_deleted,
    profile_unsubscribe,
    profiles_unsubscribe,
    text_reply,
    texts_stop,
)
from consent.services.devices import (
    DeviceLimitReached,
    app_token_issue,
    app_token_revoke,
    app_token_revoke_all,
    app_token_use,
    device_register,
    device_sign_out,
)
from consent.services.feed import feed_purge_before, feed_record, feed_record_profile_deleted
from consent.services.signal import signal_apply, signal_covered

__all__ = [
    "Actor",
    "ChoiceNotAvailable",
    "DeviceLimitReached",
    "NotPrimaryProfile",
    "SignalConflict",
    "WrongScope",
    "account_email_changed",
    "account_opt_all_profiles_out",
    "account_phone_added",
    "account_phone_changed",
    "account_phone_deleted",
    "app_token_issue",
    "app_token_revoke",
    "app_token_revoke_all",
    "app_token_use",
    "audit_change_of_effect",
    "choices_set",
    "device_event_ref",
    "device_register",
    "device_sign_out",
    "feed_purge_before",
    "feed_record",
    "feed_record_profile_deleted",
    "profile_opt_out_of_all",
    "profile_record_initial_choices",
    "profile_set_choices",
    "profile_unsubscribe",
    "profiles_unsubscribe",
    "signal_apply",
    "signal_covered",
    "text_reply",
    "texts_stop",
]
