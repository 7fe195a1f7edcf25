"""The names the consent domain speaks in: which choice changed, and what changed it (SPEC §2, R-AU-1)."""

from django.db import models


class Choice(models.TextChoices):
    MIC = "mic", "Matched Identifier Communications"
    BA = "ba", "Behavioral Advertising"
    # Account-wide: "Opt all profiles out of all" in force for profiles added later (R-PDS-4).
    ALL_PROFILES_OPT_OUT = "all_profiles_opt_out", "All profiles opted out (incl. later profiles)"


class Source(models.TextChoices):
    MEMBER = "member", "Member"
    GPC = "gpc", "Global Privacy Control"
    ADMIN = "admin", "Support staff (admin)"
    OPT_OUT_ALL = "opt_out_all", "Opt out of all"
    OPT_ALL_PROFILES = "opt_all_profiles", "Opt all profiles out of all"
    UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
    SMS_STOP = "sms_stop", "STOP text message"
    SYSTEM = "system", "System"


PROFILE_CHOICES = (Choice.MIC, Choice.BA)
