"""The privacy rules as pure functions: plain values in, a decision out.

No ORM, no request, no settings. Pages, admin, services, commands and the API all ask here, so a rule changes
in one place. Rule ids refer to SPEC.md.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from consent.choices import Choice

MAX_PROFILES_PER_ACCOUNT = 5
PLANS_WITH_ADS = frozenset({"standard_with_ads"})

_JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


@dataclass(frozen=True)
class ProfileFacts:
    plan_has_ads: bool
    is_kids: bool
    is_primary: bool
    mic_on: bool
    ba_on: bool

    def stored(self) -> dict[Choice, bool]:
        return {Choice.MIC: self.mic_on, Choice.BA: self.ba_on}


@dataclass(frozen=True)
class Change:
    choice: Choice
    old: bool | None
    new: bool


def plan_has_ads(plan: str) -> bool:
    return plan in PLANS_WITH_ADS


def behavioral_ads_shown(facts: ProfileFacts) -> bool:
    """R-PDS-1: the BA switch exists only on an ad-supported plan and never on a kids profile."""
    return facts.plan_has_ads and not facts.is_kids


def behavioral_ads_allowed(facts: ProfileFacts, *, device_limits_tracking: bool = False) -> bool:
    """R-PDS-1, R-PDS-2: effective BA = plan has ads AND not kids AND the stored choice is on."""
    return behavioral_ads_shown(facts) and facts.ba_on and not device_limits_tracking


def mic_allowed(facts: ProfileFacts) -> bool:
    """R-PDS-1: every profile has its own MIC choice."""
    return facts.mic_on


def choices_on_page(facts: ProfileFacts) -> tuple[Choice, ...]:
    """The switches a member sees on the profile's Privacy and data settings page."""
    return (Choice.MIC, Choice.BA) if behavioral_ads_shown(facts) else (Choice.MIC,)


def changes(*, current: Mapping[Choice, bool], wanted: Mapping[Choice, bool]) -> list[Change]:
    """What differs between stored and wanted values; an empty list means write nothing."""
    return [
        Change(choice=choice, old=current[choice], new=value)
        for choice, value in wanted.items()
        if current[choice] != value
    ]


def opt_out_of_all(facts: ProfileFacts) -> list[Change]:
    """R-PDS-3: every choice off.

    A BA choice the plan hides is turned off too: the member asked for "all", and a later move to an ad plan
    must not bring behavioral advertising back (R-PDS-5).
    """
    return changes(current=facts.stored(), wanted={Choice.MIC: False, Choice.BA: False})


def may_opt_all_profiles_out(facts: ProfileFacts) -> bool:
    """R-PDS-4: only from the primary profile's page."""
    return facts.is_primary


def ends_all_profiles_opt_out(facts: ProfileFacts, wanted: Mapping[Choice, bool]) -> bool:
    """R-PDS-4: the account-wide opt-out lasts until the primary profile's page turns a choice back on."""
    return facts.is_primary and any(wanted.values())


def new_profile_choices(*, all_profiles_opted_out: bool) -> dict[Choice, bool]:
    """R-PDS-7: the US opt-out model starts choices on, unless an account-wide opt-out is in force."""
    value = not all_profiles_opted_out
    return {Choice.MIC: value, Choice.BA: value}


def resolve_jurisdiction(*, proxy_value: str | None, account_region: str | None) -> str:
    """R-GPC-2: the trusted proxy's header first, then the account's billing region, else unknown ("").

    Garbage in a header is ignored rather than trusted.
    """
    for candidate in (proxy_value, account_region):
        value = (candidate or "").strip().upper()
        if _JURISDICTION.match(value):
            return value
    return ""
