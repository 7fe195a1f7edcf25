"""The privacy rules as pure functions: plain values in, a decision out.

No ORM, no request, no settings. Pages, admin, services, commands and the API all ask here, so a rule changes
in one place. What a choice is (its default, scope, page, what "opt out of all" does to it) is read from the
registry in consent.choices. Rule ids refer to SPEC.md.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from consent.choices import REGISTRY, Choice, ChoiceSpec, Page, Scope

_JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


@dataclass(frozen=True)
class ProfileFacts:
    """Everything the rules need about one profile; built by consent.selectors."""

    plan_has_ads: bool
    is_kids: bool
    is_primary: bool
    # The profile's profile-scoped choices and its account's account-scoped ones, defaults filled in.
    values: Mapping[str, bool]


@dataclass(frozen=True)
class Change:
    choice: str
    old: bool | None
    new: bool


def current_values(stored: Mapping[str, bool], *, scopes: Iterable[Scope]) -> dict[str, bool]:
    """Every registered choice of these scopes: the stored value, else the registry's default."""
    return {spec.key: stored.get(spec.key, spec.default) for scope in scopes for spec in REGISTRY.scoped(scope)}


def applies(spec: ChoiceSpec, facts: ProfileFacts) -> bool:
    """Whether a choice exists for this profile at all (a hidden choice keeps its value and has no effect)."""
    return spec.applies(facts)


def allowed(facts: ProfileFacts, key: str) -> bool:
    """May the use the choice covers happen: it applies to this profile and is on."""
    return applies(REGISTRY[key], facts) and facts.values[key]


def behavioral_ads_shown(facts: ProfileFacts) -> bool:
    """R-PDS-1: the BA switch exists only on an ad-supported plan and never on a kids profile."""
    return applies(REGISTRY[Choice.BA], facts)


def behavioral_ads_allowed(facts: ProfileFacts) -> bool:
    """R-PDS-1, R-PDS-2: effective BA = plan has ads AND not kids AND the stored choice is on."""
    return allowed(facts, Choice.BA)


def mic_allowed(facts: ProfileFacts) -> bool:
    """R-PDS-1: every profile has its own MIC choice."""
    return allowed(facts, Choice.MIC)


def choices_on_page(facts: ProfileFacts, page: Page = Page.PRIVACY) -> tuple[ChoiceSpec, ...]:
    """The switches a member sees on one of the profile's pages, in registry order."""
    return tuple(spec for spec in REGISTRY.scoped(Scope.PROFILE) if spec.page == page and applies(spec, facts))


def changes(*, current: Mapping[str, bool], wanted: Mapping[str, bool]) -> list[Change]:
    """What differs between current and wanted values; an empty list means write nothing."""
    return [Change(choice=key, old=current[key], new=value) for key, value in wanted.items() if current[key] != value]


def opt_out_of_all_values() -> dict[str, bool]:
    """R-PDS-3: what "Opt out of all" wants for a profile: every choice it covers, off."""
    return {spec.key: False for spec in REGISTRY.scoped(Scope.PROFILE) if spec.opt_out_of_all and spec.can_turn_off}


def opt_out_of_all(facts: ProfileFacts) -> list[Change]:
    """R-PDS-3: every covered choice off.

    A choice the profile does not show (BA on a plan without ads) is turned off too: the member asked for
    "all", and a later move to an ad plan must not bring behavioral advertising back (R-PDS-5).
    """
    return changes(current=facts.values, wanted=opt_out_of_all_values())


def may_opt_all_profiles_out(facts: ProfileFacts) -> bool:
    """R-PDS-4: only from the primary profile's page."""
    return facts.is_primary


def ends_all_profiles_opt_out(facts: ProfileFacts, made: Iterable[Change], *, by_member: bool) -> bool:
    """R-PDS-4: the account-wide opt-out lasts until the member turns a covered choice back on from the
    primary profile's page. Staff, the signal or the API writing to a profile never end it."""
    return (
        by_member
        and facts.is_primary
        and facts.values[Choice.ALL_PROFILES_OPT_OUT]
        and any(change.new and REGISTRY[change.choice].opt_out_of_all for change in made)
    )


def new_profile_values(*, all_profiles_opted_out: bool) -> dict[str, bool]:
    """R-PDS-7: the US opt-out model starts choices at their defaults (on), except what an account-wide
    opt-out covers while it is in force."""
    return {
        spec.key: False if all_profiles_opted_out and spec.opt_out_of_all else spec.default
        for spec in REGISTRY.scoped(Scope.PROFILE)
    }


def resolve_jurisdiction(*, proxy_value: str | None, account_region: str | None) -> str:
    """R-GPC-2: the trusted proxy's header first, then the account's billing region, else unknown ("").

    Garbage in a header is ignored rather than trusted.
    """
    for candidate in (proxy_value, account_region):
        value = (candidate or "").strip().upper()
        if _JURISDICTION.match(value):
            return value
    return ""
