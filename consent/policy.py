"""The privacy rules as pure functions: plain values in, a decision out.

No ORM, no request, no settings. Pages, admin, services, commands and the API all ask here, so a rule changes
in one place. What a choice is (its default, scope, page, what "opt out of all" does to it) is read from the
registry in consent.choices. Rule ids are listed in docs/rules.md.
"""

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.utils.translation import gettext

from consent import gpp
from consent.choices import REGISTRY, Choice, ChoiceSpec, Page, Scope, signal_consent_key

K = TypeVar("K")

_JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


@dataclass(frozen=True)
class ProfileFacts:
    """Everything the rules need about one profile; built by consent.selectors."""

    plan_has_ads: bool
    is_kids: bool
    is_primary: bool
    # The profile's profile-scoped choices and its account's account-scoped ones, defaults filled in.
    values: Mapping[str, bool]


def account_facts(*, plan_has_ads: bool, stored: Mapping[str, bool]) -> ProfileFacts:
    """The account itself as the subject of its account-scoped choices (texts, cookies, the account-wide
    opt-out): no profile, so never a kids or a primary profile."""
    return ProfileFacts(
        plan_has_ads=plan_has_ads,
        is_kids=False,
        is_primary=False,
        values=current_values(stored, scopes=[Scope.ACCOUNT]),
    )


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


@dataclass(frozen=True)
class DeviceFacts:
    """What the app reported about one device (R-AD-1, R-PUSH-1): its device-scoped choices, defaults filled in."""

    values: Mapping[str, bool]


def limited_by_device(key: str, device: DeviceFacts | None) -> bool:
    """R-AD-1: a device choice that `limits` this choice is on for the device (limit-ad-tracking limits BA)."""
    if device is None:
        return False
    return any(device.values[spec.key] for spec in REGISTRY.scoped(Scope.DEVICE) if spec.limits == key)


def allowed_on(facts: ProfileFacts, key: str, device: DeviceFacts | None = None) -> bool:
    """May the use happen for this profile, on this device if one is named."""
    return allowed(facts, key) and not limited_by_device(key, device)


def behavioral_ads_allowed(facts: ProfileFacts, device: DeviceFacts | None = None) -> bool:
    """R-PDS-1, R-PDS-2: effective BA = plan has ads AND not kids AND the stored choice is on; R-AD-1: AND,
    on a device, the device does not limit ad tracking."""
    return allowed_on(facts, Choice.BA, device)


def push_allowed(device: DeviceFacts) -> bool:
    """R-PUSH-1: push only to a device whose notification permission is on."""
    return device.values[Choice.DEVICE_NOTIFICATIONS]


def eligibility(facts: ProfileFacts, device: DeviceFacts | None = None, *, has_phone: bool) -> dict[str, bool]:
    """R-API-1: what downstream systems may do for this profile (on this device): every choice a member sets on
    a profile's or account's own pages, each answered by the rule the pages use. Choices registered later (email
    and text categories) appear here by themselves. Browser cookie choices are left out: they are decided per
    browser by the consent cookie, not per profile."""
    return {
        spec.key: allowed_on(facts, spec.key, device) and (has_phone or spec.page != Page.TEXTS)
        for scope in (Scope.PROFILE, Scope.ACCOUNT)
        for spec in REGISTRY.scoped(scope)
        if spec.page is not None and spec.page != Page.COOKIES
    }


def changes_of_effect(before: ProfileFacts, after: ProfileFacts) -> list[Change]:
    """R-PDS-2, R-PDS-5: the profile choices whose effect differs between two sets of facts (a plan or kids
    flag change), as effective old and new values; the stored values stay as they are."""
    return [
        Change(choice=spec.key, old=allowed(before, spec.key), new=allowed(after, spec.key))
        for spec in REGISTRY.scoped(Scope.PROFILE)
        if allowed(before, spec.key) != allowed(after, spec.key)
    ]


def mic_allowed(facts: ProfileFacts) -> bool:
    """R-PDS-1: every profile has its own MIC choice."""
    return allowed(facts, Choice.MIC)


# The GPP string of an answer (R-API-2; docs/downstream.md has the table) ------------------------------------

GPP_MSPA_MODES = ("", "opt_out", "service_provider")


@dataclass(frozen=True)
class GppSetup:
    """What the business declares, the same for every profile (PRIVACY_GPP_* settings): whether the notices of
    sale, sharing and targeted advertising and of the right to opt out are given (the privacy pages give them),
    whether its ad transactions are covered by the IAB MSPA, and if so in which mode."""

    notices_given: bool = True
    mspa_covered: bool = False
    mspa_mode: str = ""


@dataclass(frozen=True)
class GppOptOuts:
    """Opted out of sale, of sharing and of targeted advertising (US National's three opt-outs)."""

    sale: bool
    sharing: bool
    targeted_advertising: bool


def gpp_opt_outs(facts: ProfileFacts, device: DeviceFacts | None = None) -> GppOptOuts:
    """R-API-2: the seed pages say behavioral advertising on the ad plan and MIC (marketing on other sites and
    apps) may each be a sale, a sharing or targeted advertising of personal information. A partner reads one
    flag per use, so the profile counts as opted out of all three as soon as either choice is off: BA where it
    applies (allowed_on, so a device limiting ad tracking counts), and MIC. BA that does not exist (a plan
    without ads, a kids profile) is no advertising at all, so only MIC decides there. The string never allows
    more than the pages do."""
    ads_off = behavioral_ads_shown(facts) and not behavioral_ads_allowed(facts, device)
    out = ads_off or not mic_allowed(facts)
    return GppOptOuts(sale=out, sharing=out, targeted_advertising=out)


def gpp_section(facts: ProfileFacts, device: DeviceFacts | None = None, *, setup: GppSetup) -> gpp.UsNat:
    """R-API-2: the US National section of the profile's GPP string. Without the notices given, every opt-out
    reads "opted out" (no sale or sharing may rest on a notice that was not given). No sensitive data is
    processed for these uses (its fields: not applicable); a kids profile is a known child whose sensitive data
    has no consent. The GPC sub-section is set once an honoured signal has covered the profile."""
    notice = gpp.YES if setup.notices_given else gpp.NO
    opt_outs = gpp_opt_outs(facts, device)

    def opt_out(out: bool) -> int:
        return gpp.OPTED_OUT if out or not setup.notices_given else gpp.DID_NOT_OPT_OUT

    def mode(name: str) -> int:
        if not setup.mspa_covered:
            return gpp.NOT_APPLICABLE
        return gpp.YES if setup.mspa_mode == name else gpp.NO

    child = gpp.NO if facts.is_kids else gpp.NOT_APPLICABLE  # "No consent" for a known child
    return gpp.UsNat(
        fields={
            "SharingNotice": notice,
            "SaleOptOutNotice": notice,
            "SharingOptOutNotice": notice,
            "TargetedAdvertisingOptOutNotice": notice,
            "SensitiveDataProcessingOptOutNotice": gpp.NOT_APPLICABLE,
            "SensitiveDataLimitUseNotice": gpp.NOT_APPLICABLE,
            "SaleOptOut": opt_out(opt_outs.sale),
            "SharingOptOut": opt_out(opt_outs.sharing),
            "TargetedAdvertisingOptOut": opt_out(opt_outs.targeted_advertising),
            "SensitiveDataProcessing": (gpp.NOT_APPLICABLE,) * 16,
            "KnownChildSensitiveDataConsents": (child,) * 3,
            "PersonalDataConsents": gpp.NOT_APPLICABLE,
            "MspaCoveredTransaction": gpp.YES if setup.mspa_covered else gpp.NO,
            "MspaOptOutOptionMode": mode("opt_out"),
            "MspaServiceProviderMode": mode("service_provider"),
        },
        gpc=facts.values[Choice.SIGNAL_RECEIVED],
    )


def gpp_string(facts: ProfileFacts, device: DeviceFacts | None = None, *, setup: GppSetup) -> str:
    """R-API-2: the profile's GPP string (header, US National, its GPC sub-section)."""
    return gpp.encode(gpp_section(facts, device, setup=setup))


def choices_on_page(facts: ProfileFacts, page: Page = Page.PRIVACY) -> tuple[ChoiceSpec, ...]:
    """The switches a member sees on one of the profile's pages, in registry order."""
    return tuple(spec for spec in REGISTRY.scoped(Scope.PROFILE) if spec.page == page and applies(spec, facts))


def account_choices_on_page(page: Page) -> tuple[ChoiceSpec, ...]:
    """The switches a member sees on one of the account's own pages (Text message preferences), in order."""
    return tuple(spec for spec in REGISTRY.scoped(Scope.ACCOUNT) if spec.page == page)


def marketing_email_offered(facts: ProfileFacts) -> bool:
    """R-EM-3: whether marketing email exists for this profile at all: never for a kids profile. The email
    categories' registry predicate (`choices.not_kids`) says so, so the Email preferences page, the sender and
    the admin all answer by it."""
    return all(applies(spec, facts) for spec in REGISTRY.on_page(Page.EMAILS) if spec.can_turn_off)


def marketing_email_allowed(facts: ProfileFacts, category: str) -> bool:
    """R-EM-1, R-EM-3: a marketing email of a category goes to a profile only while that category is on, and
    never to a kids profile. Read at send time, so an opt-out between enqueueing and sending is honoured."""
    spec = REGISTRY[category]
    if spec.page != Page.EMAILS or not spec.can_turn_off:
        raise ValueError(f"{category!r} is not a marketing email category")
    return allowed(facts, category)


def marketing_email_to_profile(facts: ProfileFacts) -> bool:
    """R-EM-3: whether any marketing email goes to this profile at all: none to a kids profile, whatever its
    categories say. The Account page's Marketing Communications section (R-MC-1) asks here."""
    return not facts.is_kids


def marketing_email_groups(recipients: Iterable[tuple[str, K]]) -> list[tuple[str, list[K]]]:
    """R-EM-3: one message per address in a campaign, covering every profile there that allows the category:
    (address, profile) pairs grouped by address (compared case-insensitively), in first-seen order."""
    groups: dict[str, tuple[str, list[K]]] = {}
    for address, profile in recipients:
        groups.setdefault(address.casefold(), (address, []))[1].append(profile)
    return list(groups.values())


def marketing_text_allowed(values: Mapping[str, bool], category: str, *, has_phone: bool) -> bool:
    """R-SMS-1, R-SMS-2: a marketing or alert text goes only to a number on file, for a category that is on."""
    if REGISTRY[category].page != Page.TEXTS:
        raise ValueError(f"{category!r} is not a text category")
    return has_phone and values[category]


def reset_text_allowed(*, has_phone: bool) -> bool:
    """R-SMS-1, R-SMS-2: a password-reset text the member asks for ignores the text categories; it needs only
    a number on file."""
    return has_phone


def texts_stop_values() -> dict[str, bool]:
    """R-SMS-3: what an inbound STOP wants for an account: every text category off."""
    return {spec.key: False for spec in REGISTRY.on_page(Page.TEXTS)}


def changes(*, current: Mapping[str, bool], wanted: Mapping[str, bool]) -> list[Change]:
    """What differs between current and wanted values; an empty list means write nothing."""
    return [Change(choice=key, old=current[key], new=value) for key, value in wanted.items() if current[key] != value]


def opt_out_of_all_values() -> dict[str, bool]:
    """R-PDS-3: what "Opt out of all" wants for a profile: every choice it covers, off."""
    return {spec.key: False for spec in REGISTRY.scoped(Scope.PROFILE) if spec.opt_out_of_all and spec.can_turn_off}


def opt_out_of_all(facts: ProfileFacts) -> list[Change]:
    """R-PDS-3: every covered choice off.

    A choice the profile does not show (BA on a plan without ads) is turned off too: the member asked for
    "all", and a later move to an ad plan must not bring behavioral advertising back (R-PDS-5). Turning a choice
    off ends the explicit consent that kept it on despite the signal, so turning it back on under the signal
    asks again (R-GPC-6), as it does when the member turns it off one by one.
    """
    wanted = opt_out_of_all_values()
    return changes(current=facts.values, wanted={**wanted, **signal_consent_withdrawn(facts, wanted)})


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
    """R-PDS-7: the US opt-out model starts the choices a member sees at their defaults (on), except what an
    account-wide opt-out covers while it is in force. Other choices (a signal consent, the email categories)
    start as no row: their registry default, which is what the pages show."""
    return {
        spec.key: False if all_profiles_opted_out and spec.opt_out_of_all else spec.default
        for spec in REGISTRY.scoped(Scope.PROFILE)
        if spec.page == Page.PRIVACY
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


# Audit retention (R-AU-3) ----------------------------------------------------------------------------------

# R-AU-3: consent events are kept at least this many calendar months.
EVENT_RETENTION_MONTHS = 24


def months_before(moment: datetime, months: int) -> datetime:
    """The same time of day `months` calendar months earlier; a day the earlier month lacks (29 February in a
    common year, the 31st of a short month) becomes that month's last day, so nothing is counted short."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def event_purge_cutoff(now: datetime) -> datetime:
    """R-AU-3: events created before this instant are past retention (24 calendar months, not 730 days);
    anything younger is kept."""
    return months_before(now, EVENT_RETENTION_MONTHS)


# Global Privacy Control (docs/gpc-and-cookies.md) -----------------------------------------------------------


@dataclass(frozen=True)
class JurisdictionRule:
    """From when a jurisdiction honours the signal and requires opt-in for cookies (None: never)."""

    honours_signal_from: date | None = None
    cookie_opt_in_from: date | None = None


def signal_present(header: str | None) -> bool:
    """R-GPC-1: the request carries `Sec-GPC: 1`. Several values arrive joined by commas; any one exactly "1"
    counts. "0", "true", empty or anything else is no signal."""
    if not header:
        return False
    return any(value.strip(" \t") == "1" for value in header.split(","))


def _in_force(since: date | None, today: date) -> bool:
    return since is not None and since <= today


def signal_honoured(
    *, jurisdiction: str, rules: Mapping[str, JurisdictionRule], today: date, everywhere: bool = False
) -> bool:
    """R-GPC-2, R-GPC-9: where the law requires it from its effective day, everywhere if so configured, and
    where the jurisdiction is unknown (fail safe). A listed state counts from the day its rule starts.

    A country whose duty is set by its subdivisions (the US states), known without one ("US" from a proxy
    that only knows the country, or a billing region without the state), is as unknown as no jurisdiction:
    the request may come from a state that requires it, so the signal is honoured."""
    if everywhere or not jurisdiction:
        return True
    rule = rules.get(jurisdiction)
    if rule is None and "-" not in jurisdiction:
        prefix = f"{jurisdiction}-"
        states = (each for code, each in rules.items() if code.startswith(prefix))
        return any(_in_force(state.honours_signal_from, today) for state in states)
    return rule is not None and _in_force(rule.honours_signal_from, today)


def cookie_opt_in_required(*, jurisdiction: str, rules: Mapping[str, JurisdictionRule], today: date) -> bool:
    """R-CK-2: regions that require opt-in start with non-essential cookies off, and so does an unknown
    jurisdiction (fail safe, as for the signal): none at all, or one the rules do not map (no row for it, its
    country or any of its country's subdivisions). A subdivision (FR-75) follows its country's rule; a
    subdivision without a row of a country mapped by its subdivisions (US-VA) follows the country's model,
    which sets no cookie opt-in (a row without an opt-in date says "opt-out here" for any other region)."""
    if not jurisdiction:
        return True
    country = jurisdiction.split("-")[0]
    rule = rules.get(jurisdiction) or rules.get(country)
    if rule is None:
        prefix = f"{country}-"
        return not any(code.startswith(prefix) for code in rules)
    return _in_force(rule.cookie_opt_in_from, today)


def signal_values(facts: ProfileFacts) -> dict[str, bool]:
    """R-GPC-3, R-GPC-5, R-GPC-6: what an honoured signal turns off on a profile: every choice the registry
    marks as signal-covered that is on, unless the member explicitly kept it on while the signal was present.
    Empty: nothing to write. The first honoured signal also records that it covered the profile (R-API-2).

    Like "Opt out of all", a choice the profile does not show (BA on a plan without ads or on a kids profile) is
    turned off too: the opt-out was sent, and a later move to an ad plan or a kids profile becoming a regular
    one must not bring behavioral advertising back without the member's consent (R-GPC-8, R-PDS-5)."""
    wanted = {
        spec.key: False
        for spec in REGISTRY.scoped(Scope.PROFILE)
        if spec.signal and facts.values[spec.key] and not facts.values[signal_consent_key(spec.key)]
    }
    if not facts.values[Choice.SIGNAL_RECEIVED]:
        # R-API-2: recorded once, so downstream GPP strings carry the signal (gpp_section).
        wanted[Choice.SIGNAL_RECEIVED] = True
    return wanted


def signal_covers(*, active_is_primary: bool, is_active_profile: bool) -> bool:
    """R-GPC-3: a signal sent while watching as a profile covers that profile; sent from the primary profile, it
    covers every profile of the account."""
    return active_is_primary or is_active_profile


def signal_changes(
    covered: Mapping[K, ProfileFacts], *, from_primary: bool
) -> tuple[dict[K, list[Change]], list[Change]]:
    """R-GPC-3, R-GPC-5: what an honoured signal changes, per covered profile (`covered`, keyed as the caller
    likes) and on the account: every signal-covered choice that is on and has no explicit consent (R-GPC-6),
    and, sent from the primary profile, the account-wide opt-out that later profiles start from (R-PDS-4).
    Both empty: nothing to write."""
    per_profile = {key: changes(current=facts.values, wanted=signal_values(facts)) for key, facts in covered.items()}
    account: list[Change] = []
    any_facts = next(iter(covered.values()), None)
    if from_primary and any_facts is not None and not any_facts.values[Choice.ALL_PROFILES_OPT_OUT]:
        account.append(Change(Choice.ALL_PROFILES_OPT_OUT, old=False, new=True))
    return {key: made for key, made in per_profile.items() if made}, account


def signal_conflicts(facts: ProfileFacts, wanted: Mapping[str, bool]) -> list[str]:
    """R-GPC-6: choices a member turns on that the honoured signal covers and that have no explicit consent
    yet: the member is told of the conflict before anything is saved."""
    return [
        key
        for key, value in wanted.items()
        if value and REGISTRY[key].signal and not facts.values[key] and not facts.values[signal_consent_key(key)]
    ]


def with_signal_consent(wanted: Mapping[str, bool], conflicts: Iterable[str]) -> dict[str, bool]:
    """R-GPC-6: a confirmed conflict records the explicit consent that the signal respects from then on."""
    return {**wanted, **{signal_consent_key(key): True for key in conflicts}}


def signal_consent_withdrawn(facts: ProfileFacts, wanted: Mapping[str, bool]) -> dict[str, bool]:
    """Turning a signal-covered choice off ends the explicit consent that kept it on despite the signal, so the
    signal covers it again (and turning it back on asks again)."""
    return {
        signal_consent_key(key): False
        for key, value in wanted.items()
        if not value and REGISTRY[key].signal and facts.values[signal_consent_key(key)]
    }


# Cookies (docs/gpc-and-cookies.md) --------------------------------------------------------------------------

NECESSARY = "necessary"
PERFORMANCE = "performance"
ADVERTISING = "advertising"
NON_ESSENTIAL = (PERFORMANCE, ADVERTISING)


def signal_cookie_choice(categories: Mapping[str, bool], *, signal_honoured: bool) -> dict[str, bool]:
    """R-GPC-4: what a browser's consent cookie records, per non-essential category, given what it asks for: an
    honoured signal keeps advertising off, whether the visitor chose nothing, accepted all or switched it on."""
    recorded = {category: bool(categories.get(category)) for category in NON_ESSENTIAL}
    if signal_honoured:
        recorded[ADVERTISING] = False
    return recorded


def cookie_categories_allowed(
    *, choice: Mapping[str, bool] | None, opt_in_required: bool, signal_honoured: bool, by_visitor: bool = True
) -> frozenset[str]:
    """R-CK-2, R-GPC-4: strictly necessary always; then the browser's own choice, or, without one, all (opt-out
    regions) or none (opt-in regions); an honoured signal always takes advertising away.

    A record made for the visitor rather than by them (`by_visitor` false: the signal turned advertising off)
    says only that advertising is off: the rest follows the region, as if nothing were recorded, so a member
    whose browser sent the signal before signing in from an opt-in region finds nothing else on (R-CK-2)."""
    if choice is not None and by_visitor:
        allowed = {category for category in NON_ESSENTIAL if choice.get(category)}
    else:
        allowed = set() if opt_in_required else set(NON_ESSENTIAL)
        if choice is not None and not choice.get(ADVERTISING):
            allowed.discard(ADVERTISING)
    if signal_honoured:
        allowed.discard(ADVERTISING)
    return frozenset({NECESSARY, *allowed})


@dataclass(frozen=True)
class CookieBanner:
    """R-CK-2: what the banner says and offers, in the region's model. `asks` is true where permission is what
    the choice records (opt-in or unknown regions); elsewhere the visitor is told and may opt out."""

    asks: bool
    text: str
    accept_label: str


def cookie_accept_label(*, signal_honoured: bool) -> str:
    """R-GPC-4: under an honoured signal "Accept all" would not be true: advertising stays off."""
    return gettext("Accept all except advertising") if signal_honoured else gettext("Accept all")


def cookie_banner(*, opt_in_required: bool, signal_honoured: bool, advertising_off: bool = False) -> CookieBanner:
    """R-CK-2, R-GPC-4: the banner's words for the region, matching what the cookies are now: opt-in regions
    are asked (nothing non-essential is set before they answer), opt-out regions are told (they are on, and may
    be turned off). An honoured signal keeps advertising off in both; `advertising_off` says it is off already
    for another reason (an earlier signal recorded it for the visitor), which an opt-out region is told too.
    Each case is one whole message, in the active language (R-I18N-1)."""
    if opt_in_required and signal_honoured:
        text = gettext(
            "We use strictly necessary cookies to run the site. With your permission we also use performance and "
            "functionality cookies; none of them is set until you choose. Your browser sends an opt-out "
            "preference signal, so advertising cookies stay off."
        )
    elif opt_in_required:
        text = gettext(
            "We use strictly necessary cookies to run the site. With your permission we also use performance and "
            "functionality cookies and advertising cookies; none of them is set until you choose."
        )
    elif signal_honoured:
        text = gettext(
            "We use strictly necessary cookies to run the site, and performance and functionality cookies, which "
            "you can turn off. Your browser sends an opt-out preference signal, so advertising cookies stay off."
        )
    elif advertising_off:
        text = gettext(
            "We use strictly necessary cookies to run the site, and performance and functionality cookies, which "
            "you can turn off. Advertising cookies are off on this browser."
        )
    else:
        text = gettext(
            "We use strictly necessary cookies to run the site, and performance and functionality cookies and "
            "advertising cookies, which you can turn off."
        )
    return CookieBanner(
        asks=opt_in_required, text=text, accept_label=cookie_accept_label(signal_honoured=signal_honoured)
    )


def cookie_accept_message(recorded: Mapping[str, bool]) -> str:
    """R-GPC-4: what accepting answers, from what was recorded: never "You accepted all cookies." while
    advertising is off."""
    if all(recorded.get(category) for category in NON_ESSENTIAL):
        return gettext("You accepted all cookies.")
    return gettext("You accepted all cookies except advertising cookies.")


# The mobile app's tokens and devices (R-AD-1, R-PUSH-1, R-DEV-1) --------------------------------------------

# A token's use is written down at most this often, so checking a token is a read on almost every request.
APP_TOKEN_USE_RECORDED_EVERY = timedelta(days=1)


def app_token_expired(*, last_used_at: datetime, now: datetime, idle_lifetime: timedelta) -> bool:
    """An app token unused (as recorded) for `idle_lifetime` no longer works. Use is recorded at most once per
    APP_TOKEN_USE_RECORDED_EVERY, so a token may end up to that much sooner after its last request."""
    return now - last_used_at >= idle_lifetime


def app_token_use_to_record(*, last_used_at: datetime, now: datetime) -> bool:
    """Whether this use of a token is written down (its idle lifetime starts again): once a day at most."""
    return now - last_used_at >= APP_TOKEN_USE_RECORDED_EVERY


def app_tokens_to_retire(
    tokens: Sequence[tuple[K, datetime]], *, now: datetime, idle_lifetime: timedelta, limit: int
) -> list[K]:
    """Which of an account's tokens, given as (id, last use) oldest first, go when one more is issued: every
    expired one, then the least recently used (the older on a tie) until the new one makes at most `limit`
    (at least 1)."""
    expired, alive = [], []
    for position, (key, last_used_at) in enumerate(tokens):
        if app_token_expired(last_used_at=last_used_at, now=now, idle_lifetime=idle_lifetime):
            expired.append(key)
        else:
            alive.append((last_used_at, position, key))
    alive.sort(key=lambda each: each[:2])
    surplus = len(alive) - (max(limit, 1) - 1)
    return expired + [key for _, _, key in alive[: max(surplus, 0)]]


def device_may_be_added(*, devices: int, limit: int) -> bool:
    """An account registers at most `limit` devices (at least 1): one more is refused, not swapped for an old
    one, so a device the member still uses keeps its id and settings and a loop of registrations stops
    writing consent events at the limit."""
    return devices < max(limit, 1)
