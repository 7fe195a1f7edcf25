"""The registry of choices: every choice a member (or a browser, later a device) can make, described once.

Pages, forms, the admin, the policy, the writer, the audit trail and the demo data all read this registry, so
adding a choice is one `REGISTRY.register(ChoiceSpec(...))` here: no column, no form field, no admin field and no
migration. Current values are `consent.models.ChoiceValue` rows; a missing row means the spec's `default`.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Source(StrEnum):
    """What changed a choice (R-AU-1). Validated in Python, so a new source needs no migration."""

    MEMBER = "member"
    GPC = "gpc"
    ADMIN = "admin"
    OPT_OUT_ALL = "opt_out_all"
    OPT_ALL_PROFILES = "opt_all_profiles"
    UNSUBSCRIBE_LINK = "unsubscribe_link"
    SMS_STOP = "sms_stop"
    SYSTEM = "system"
    APP = "app"  # the member's mobile app reporting its device's settings (R-AD-1, R-PUSH-1)

    @property
    def label(self) -> str:
        """In the active language (the admin's lists and filters, the member's privacy history)."""
        return str(SOURCE_LABELS[self])


SOURCES = frozenset(source.value for source in Source)

SOURCE_LABELS: dict[Source, StrOrPromise] = {
    Source.MEMBER: _("Member"),
    Source.GPC: _("Global Privacy Control"),
    Source.ADMIN: _("Support staff (admin)"),
    Source.OPT_OUT_ALL: _("Opt out of all"),
    Source.OPT_ALL_PROFILES: _("Opt all profiles out of all"),
    Source.UNSUBSCRIBE_LINK: _("Unsubscribe link"),
    Source.SMS_STOP: _("STOP text message"),
    Source.SYSTEM: _("System"),
    Source.APP: _("Mobile app"),
}


class Scope(StrEnum):
    """Whose choice it is: one value per profile, per account, or per registered device of the account."""

    PROFILE = "profile"
    ACCOUNT = "account"
    DEVICE = "device"


class Page(StrEnum):
    """Where a member sees and changes the choice."""

    PRIVACY = "privacy"  # the profile's Privacy and data settings
    COOKIES = "cookies"  # the cookie choice tool (the account's record of a signed-in member's choice)
    EMAILS = "emails"  # the profile's Email preferences (R-EM-1)
    TEXTS = "texts"  # the account's Text message preferences, shown while a phone is on file (R-SMS-1)


class SubjectFacts(Protocol):
    """What a spec's `applies` predicate may look at (see consent.policy.ProfileFacts)."""

    @property
    def plan_has_ads(self) -> bool: ...

    @property
    def is_kids(self) -> bool: ...


def always(facts: SubjectFacts) -> bool:
    return True


def ad_plan_and_not_kids(facts: SubjectFacts) -> bool:
    """R-PDS-1, R-PDS-2: behavioral advertising exists only on an ad-supported plan and never for kids."""
    return facts.plan_has_ads and not facts.is_kids


def not_kids(facts: SubjectFacts) -> bool:
    """R-EM-3: marketing email categories do not apply to kids profiles (no marketing email goes to them);
    consent.policy.marketing_email_offered is the rule's name for pages, the sender and the admin."""
    return not facts.is_kids


@dataclass(frozen=True)
class ChoiceSpec:
    """One choice. The first five fields say what it is and where it is shown; the rest default to the common
    case (on until turned off, untouched by "Opt out of all" and the signal, for every subject)."""

    key: str
    # Member-facing words, marked with gettext_lazy: each page shows them in its reader's language (R-I18N-1).
    label: StrOrPromise
    help_text: StrOrPromise
    scope: Scope
    # The page that shows the switch; None for a choice no member edits directly (e.g. a standing account flag).
    page: Page | None
    default: bool = True
    # Whether "Opt out of all" (and "Opt all profiles out of all") turns it off (R-PDS-3, R-PDS-4).
    opt_out_of_all: bool = False
    # Whether an honoured Global Privacy Control signal turns it off (R-GPC-3); used by the signal middleware.
    signal: bool = False
    # Service messages (billing, security) are shown as always on and refuse "off".
    can_turn_off: bool = True
    # Whether the choice exists for this subject at all (hidden and without effect otherwise).
    applies: Callable[[SubjectFacts], bool] = always
    # Device choices only: while this one is on for a device, the named profile choice has no effect there
    # (R-AD-1: a device limiting ad tracking gets no behavioral advertising, whatever the profile's choice).
    limits: str | None = None
    # The label where the page that shows the choice is not in view (the admin's lists and filters, the member's
    # privacy history): it says which kind of choice it is, so that no two choices read alike ("Surveys (email)",
    # "Surveys (text)"). Empty when the label says it already. Marked with gettext_noop: readers translate it.
    qualified_label: StrOrPromise = ""
    # A companion only: the choice whose explicit consent despite the signal it records (R-GPC-6).
    signal_consent_for: str | None = None

    @property
    def short_label(self) -> str:
        """The label that reads unambiguously away from its page (qualified_label, else label), in the active
        language."""
        return gettext(str(self.qualified_label or self.label))


def _kept_on(label: StrOrPromise) -> str:
    return gettext("%(choice)s: kept on despite the opt-out preference signal") % {"choice": label}


def _kept_on_short(label: StrOrPromise) -> str:
    return gettext("%(choice)s (kept on despite the signal)") % {"choice": gettext(str(label))}


# A companion's words are built from its choice's when read, in the reader's language.
_kept_on_label = lazy(_kept_on, str)
_kept_on_short_label = lazy(_kept_on_short, str)


def signal_consent_key(key: str) -> str:
    """The companion choice recording that the member keeps `key` on although the signal says otherwise."""
    return f"{key}_signal_consent"


class UnknownChoice(KeyError):
    """A key that is not in the registry."""


class Registry:
    """Choices in registration order (the order pages show them in)."""

    def __init__(self) -> None:
        self._specs: dict[str, ChoiceSpec] = {}
        # scoped() is asked on every decision (a batch of answers asks it thousands of times): kept per scope
        # until the next register or unregister.
        self._by_scope: dict[Scope, tuple[ChoiceSpec, ...]] = {}

    def register(self, spec: ChoiceSpec) -> ChoiceSpec:
        """Add a choice. One the signal covers brings its companion: the member's explicit consent that the
        signal no longer overrides it on that profile (R-GPC-6), stored and audited like any choice."""
        if spec.key in self._specs:
            raise ValueError(f"choice {spec.key!r} is registered already")
        self._specs[spec.key] = spec
        self._by_scope.clear()
        if spec.signal:
            consent = signal_consent_key(spec.key)
            self._specs[consent] = ChoiceSpec(
                consent,
                _kept_on_label(spec.label),
                _("The member confirmed this choice while their browser sent Global Privacy Control."),
                spec.scope,
                None,
                default=False,
                applies=spec.applies,
                qualified_label=_kept_on_short_label(spec.qualified_label or spec.label),
                signal_consent_for=spec.key,
            )
        return spec

    def register_all(self, *specs: ChoiceSpec) -> None:
        for spec in specs:
            self.register(spec)

    def unregister(self, key: str) -> None:
        self._specs.pop(signal_consent_key(key), None)
        del self._specs[key]
        self._by_scope.clear()

    def __getitem__(self, key: str) -> ChoiceSpec:
        try:
            return self._specs[key]
        except KeyError:
            raise UnknownChoice(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self._specs

    def __iter__(self) -> Iterator[ChoiceSpec]:
        return iter(tuple(self._specs.values()))

    def scoped(self, scope: Scope) -> tuple[ChoiceSpec, ...]:
        found = self._by_scope.get(scope)
        if found is None:
            found = self._by_scope[scope] = tuple(spec for spec in self if spec.scope == scope)
        return found

    def on_page(self, page: Page) -> tuple[ChoiceSpec, ...]:
        return tuple(spec for spec in self if spec.page == page)

    def label(self, key: str) -> str:
        """The label for a key in the active language, or the key itself for one no longer registered (old events
        keep theirs)."""
        spec = self._specs.get(key)
        return str(spec.label) if spec else key

    def short_label(self, key: str) -> str:
        """The label that reads unambiguously away from its page, or the key for one no longer registered."""
        spec = self._specs.get(key)
        return spec.short_label if spec else key


REGISTRY = Registry()


class Choice(StrEnum):
    """Keys of the built-in choices, for code that names one. The registry itself takes any key."""

    MIC = "mic"
    BA = "ba"
    ALL_PROFILES_OPT_OUT = "all_profiles_opt_out"
    COOKIES_PERFORMANCE = "cookies_performance"
    COOKIES_ADVERTISING = "cookies_advertising"
    DEVICE_LIMIT_AD_TRACKING = "device_limit_ad_tracking"
    DEVICE_NOTIFICATIONS = "device_notifications"
    EMAIL_NEW_ARRIVALS = "email_new_arrivals"
    EMAIL_RECOMMENDATIONS = "email_recommendations"
    EMAIL_OFFERS = "email_offers"
    EMAIL_SURVEYS = "email_surveys"
    EMAIL_SERVICE = "email_service"
    SMS_ALERTS = "sms_alerts"
    SMS_OFFERS = "sms_offers"
    SMS_SURVEYS = "sms_surveys"
    PHONE_ON_FILE = "phone_on_file"
    EMAIL_CHANGED = "email_changed"
    PHONE_CHANGED = "phone_changed"
    DEVICE_SIGNED_OUT = "device_signed_out"
    SIGNAL_RECEIVED = "signal_received"


REGISTRY.register_all(
    # Privacy and data settings, per profile (R-PDS-1 to R-PDS-7); the signal covers both (R-GPC-3).
    ChoiceSpec(
        Choice.MIC,
        _("Matched Identifier Communications"),
        _(
            "Lets us reach you with promotions on other sites and apps by sending a privacy-protective identifier "
            "instead of your email address or phone number."
        ),
        Scope.PROFILE,
        Page.PRIVACY,
        opt_out_of_all=True,
        signal=True,
    ),
    ChoiceSpec(
        Choice.BA,
        _("Behavioral Advertising"),
        _(
            "Lets the ads you see on your plan be tailored to your likely interests. With it off you still see ads, "
            "but they are not behavioral advertisements."
        ),
        Scope.PROFILE,
        Page.PRIVACY,
        opt_out_of_all=True,
        signal=True,
        applies=ad_plan_and_not_kids,
    ),
    # R-PDS-4: "Opt all profiles out of all" stays in force for profiles added later. It is consent state like
    # any other, so an account-scoped row rather than a column on accounts.Account. "On" means opted out.
    ChoiceSpec(
        Choice.ALL_PROFILES_OPT_OUT,
        _("All profiles opted out (incl. later profiles)"),
        _("Profiles added while this is on start opted out."),
        Scope.ACCOUNT,
        None,
        default=False,
    ),
    # R-CK-5: a signed-in member's cookie choice, recorded against the account too. Enforcement reads the
    # browser's consent cookie (a visitor has no account); these rows are the member's record of it.
    ChoiceSpec(
        Choice.COOKIES_PERFORMANCE,
        _("Performance and functionality cookies"),
        _("Remember preferences and measure how the site is used, so it can work better."),
        Scope.ACCOUNT,
        Page.COOKIES,
    ),
    ChoiceSpec(
        Choice.COOKIES_ADVERTISING,
        _("Advertising cookies"),
        _("Let us and our advertising partners measure and tailor advertising, on this site and others."),
        Scope.ACCOUNT,
        Page.COOKIES,
    ),
    # R-AD-1, R-PUSH-1: what the mobile app reports about its device, written with source `app`. Both start at
    # the protective answer until the app has reported: limited, and no push.
    ChoiceSpec(
        Choice.DEVICE_LIMIT_AD_TRACKING,
        _("Device limits ad tracking"),
        _("The device's own setting: while on, ads on this device are never tailored."),
        Scope.DEVICE,
        None,
        limits=Choice.BA,
        qualified_label=gettext_noop("Limit ad tracking (device setting)"),
    ),
    ChoiceSpec(
        Choice.DEVICE_NOTIFICATIONS,
        _("Device allows notifications"),
        _("The device's notification permission: while off, nothing is queued for push to it."),
        Scope.DEVICE,
        None,
        default=False,
        qualified_label=gettext_noop("Notifications (device setting)"),
    ),
    # R-EM-1: email categories, per profile. "Opt out of all" covers the privacy page's uses of information,
    # not messages: these keep their own switches. R-EM-3: the marketing ones do not apply to kids profiles.
    ChoiceSpec(
        Choice.EMAIL_NEW_ARRIVALS,
        _("New arrivals"),
        _("Titles just added that this profile may like."),
        Scope.PROFILE,
        Page.EMAILS,
        applies=not_kids,
        qualified_label=gettext_noop("New arrivals (email)"),
    ),
    ChoiceSpec(
        Choice.EMAIL_RECOMMENDATIONS,
        _("Recommendations"),
        _("Suggestions based on what this profile watches."),
        Scope.PROFILE,
        Page.EMAILS,
        applies=not_kids,
        qualified_label=gettext_noop("Recommendations (email)"),
    ),
    ChoiceSpec(
        Choice.EMAIL_OFFERS,
        _("Offers and news"),
        _("Special offers and news about the service."),
        Scope.PROFILE,
        Page.EMAILS,
        applies=not_kids,
        qualified_label=gettext_noop("Offers and news (email)"),
    ),
    ChoiceSpec(
        Choice.EMAIL_SURVEYS,
        _("Surveys"),
        _("Invitations to tell us what you think."),
        Scope.PROFILE,
        Page.EMAILS,
        applies=not_kids,
        qualified_label=gettext_noop("Surveys (email)"),
    ),
    ChoiceSpec(
        Choice.EMAIL_SERVICE,
        _("Service email (billing, security, password reset)"),
        _("Messages about your membership and its security. They are always sent."),
        Scope.PROFILE,
        Page.EMAILS,
        can_turn_off=False,
    ),
    # R-SMS-1: text-message categories, per account (the phone is the account's). A password-reset text the
    # member asks for is not one of them: it is sent whatever these say, while a number is on file (R-SMS-2).
    ChoiceSpec(
        Choice.SMS_ALERTS,
        _("Alerts"),
        _("Texts about your account, such as a new sign-in."),
        Scope.ACCOUNT,
        Page.TEXTS,
        qualified_label=gettext_noop("Alerts (text)"),
    ),
    ChoiceSpec(
        Choice.SMS_OFFERS,
        _("Special offers"),
        _("Texts with special offers."),
        Scope.ACCOUNT,
        Page.TEXTS,
        qualified_label=gettext_noop("Special offers (text)"),
    ),
    ChoiceSpec(
        Choice.SMS_SURVEYS,
        _("Surveys"),
        _("Texts inviting you to tell us what you think."),
        Scope.ACCOUNT,
        Page.TEXTS,
        qualified_label=gettext_noop("Surveys (text)"),
    ),
    # R-SMS-2: deleting the phone number is recorded as this choice going off, so the trail shows that it
    # happened without the number. No row is kept for it: the PhoneNumber row is what is on file.
    ChoiceSpec(
        Choice.PHONE_ON_FILE,
        _("Phone number on file"),
        _("Whether the account has a phone number; the number itself is never recorded here."),
        Scope.ACCOUNT,
        None,
        default=False,
    ),
    # R-API-2: an honoured Global Privacy Control signal has covered this profile (R-GPC-3), written with source
    # `gpc` by the signal's own write, so the GPP string's GPC sub-section can say so. A later request without the
    # signal leaves it on, as it leaves everything the signal turned off (R-GPC-8). No member edits it.
    ChoiceSpec(
        Choice.SIGNAL_RECEIVED,
        _("Opt-out preference signal received"),
        _("A browser sent Global Privacy Control for this profile where the signal is honoured."),
        Scope.PROFILE,
        None,
        default=False,
        qualified_label=gettext_noop("Global Privacy Control signal received"),
    ),
    # R-AU-1, R-AU-4: support staff changing the address the account signs in with is recorded as this going on,
    # once per change, so the trail shows when and by whom without either address. No row is kept for it.
    ChoiceSpec(
        Choice.EMAIL_CHANGED,
        _("Sign-in email address changed"),
        _("Recorded each time the account's sign-in email address is changed; the addresses are never recorded here."),
        Scope.ACCOUNT,
        None,
        default=False,
    ),
    # R-AU-1, R-AU-4: support staff adding or replacing the account's phone number (a way to reset the password),
    # recorded the same way, without either number.
    ChoiceSpec(
        Choice.PHONE_CHANGED,
        _("Phone number changed by support"),
        _(
            "Recorded each time support staff add or replace the account's phone number; the numbers are never "
            "recorded here."
        ),
        Scope.ACCOUNT,
        None,
        default=False,
    ),
    # R-DEV-1: the member signing a device out (its app tokens end, the device is no longer registered) is recorded
    # as this going on, once, the event's context naming the device. An account record like email_changed, not one
    # of the device's reported settings; no row is kept for it: the device is gone.
    ChoiceSpec(
        Choice.DEVICE_SIGNED_OUT,
        _("Device signed out"),
        _("Recorded when the member signs a device out of the app; its app token stops working at once."),
        Scope.ACCOUNT,
        None,
        default=False,
    ),
)

EMAIL_CATEGORIES = tuple(spec.key for spec in REGISTRY.on_page(Page.EMAILS) if spec.can_turn_off)
TEXT_CATEGORIES = tuple(spec.key for spec in REGISTRY.on_page(Page.TEXTS))
