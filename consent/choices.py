"""The registry of choices: every choice a member (or a browser, later a device) can make, described once.

Pages, forms, the admin, the policy, the writer, the audit trail and the demo data all read this registry, so
adding a choice is one `REGISTRY.register(ChoiceSpec(...))` here: no column, no form field, no admin field and no
migration. Current values are `consent.models.ChoiceValue` rows; a missing row means the spec's `default`.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


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
        return SOURCE_LABELS[self]


SOURCES = frozenset(source.value for source in Source)

SOURCE_LABELS = {
    Source.MEMBER: "Member",
    Source.GPC: "Global Privacy Control",
    Source.ADMIN: "Support staff (admin)",
    Source.OPT_OUT_ALL: "Opt out of all",
    Source.OPT_ALL_PROFILES: "Opt all profiles out of all",
    Source.UNSUBSCRIBE_LINK: "Unsubscribe link",
    Source.SMS_STOP: "STOP text message",
    Source.SYSTEM: "System",
    Source.APP: "Mobile app",
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


@dataclass(frozen=True)
class ChoiceSpec:
    key: str
    label: str
    help_text: str
    scope: Scope
    default: bool
    # The page that shows the switch; None for a choice no member edits directly (e.g. a standing account flag).
    page: Page | None
    # Whether "Opt out of all" (and "Opt all profiles out of all") turns it off (R-PDS-3, R-PDS-4).
    opt_out_of_all: bool
    # Whether an honoured Global Privacy Control signal turns it off (R-GPC-3); used by the signal middleware.
    signal: bool
    # Service messages (billing, security) are shown as always on and refuse "off".
    can_turn_off: bool = True
    # Whether the choice exists for this subject at all (hidden and without effect otherwise).
    applies: Callable[[SubjectFacts], bool] = always
    # Device choices only: while this one is on for a device, the named profile choice has no effect there
    # (R-AD-1: a device limiting ad tracking gets no behavioral advertising, whatever the profile's choice).
    limits: str | None = None


def signal_consent_key(key: str) -> str:
    """The companion choice recording that the member keeps `key` on although the signal says otherwise."""
    return f"{key}_signal_consent"


class UnknownChoice(KeyError):
    """A key that is not in the registry."""


class Registry:
    """Choices in registration order (the order pages show them in)."""

    def __init__(self) -> None:
        self._specs: dict[str, ChoiceSpec] = {}

    def register(self, spec: ChoiceSpec) -> ChoiceSpec:
        """Add a choice. One the signal covers brings its companion: the member's explicit consent that the
        signal no longer overrides it on that profile (R-GPC-6), stored and audited like any choice."""
        if spec.key in self._specs:
            raise ValueError(f"choice {spec.key!r} is registered already")
        self._specs[spec.key] = spec
        if spec.signal:
            consent = signal_consent_key(spec.key)
            self._specs[consent] = ChoiceSpec(
                key=consent,
                label=f"{spec.label}: kept on despite the opt-out preference signal",
                help_text="The member confirmed this choice while their browser sent Global Privacy Control.",
                scope=spec.scope,
                default=False,
                page=None,
                opt_out_of_all=False,
                signal=False,
                applies=spec.applies,
            )
        return spec

    def unregister(self, key: str) -> None:
        self._specs.pop(signal_consent_key(key), None)
        del self._specs[key]

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
        return tuple(spec for spec in self if spec.scope == scope)

    def on_page(self, page: Page) -> tuple[ChoiceSpec, ...]:
        return tuple(spec for spec in self if spec.page == page)

    def label(self, key: str) -> str:
        """The label for a key, or the key itself for one no longer registered (old events keep theirs)."""
        spec = self._specs.get(key)
        return spec.label if spec else key


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


REGISTRY.register(
    ChoiceSpec(
        key=Choice.MIC,
        label="Matched Identifier Communications",
        help_text="Lets us reach you with promotions on other sites and apps by sending a privacy-protective "
        "identifier instead of your email address or phone number.",
        scope=Scope.PROFILE,
        default=True,
        page=Page.PRIVACY,
        opt_out_of_all=True,
        signal=True,
    )
)
REGISTRY.register(
    ChoiceSpec(
        key=Choice.BA,
        label="Behavioral Advertising",
        help_text="Lets the ads you see on your plan be tailored to your likely interests. With it off you "
        "still see ads, but they are not behavioral advertisements.",
        scope=Scope.PROFILE,
        default=True,
        page=Page.PRIVACY,
        opt_out_of_all=True,
        signal=True,
        applies=ad_plan_and_not_kids,
    )
)
# R-PDS-4: "Opt all profiles out of all" stays in force for profiles added later. It is consent state like any
# other (audited, written by the one writer, read by the policy), so it is an account-scoped row, not a column
# on accounts.Account: the accounts app then knows nothing of consent. Unlike the others, "on" means opted out.
REGISTRY.register(
    ChoiceSpec(
        key=Choice.ALL_PROFILES_OPT_OUT,
        label="All profiles opted out (incl. later profiles)",
        help_text="Profiles added while this is on start opted out.",
        scope=Scope.ACCOUNT,
        default=False,
        page=None,
        opt_out_of_all=False,
        signal=False,
    )
)
# R-CK-5: a signed-in member's cookie choice is also recorded against the account. The browser's consent
# cookie stays what enforcement reads (a visitor has no account); these rows are the member's record of it.
REGISTRY.register(
    ChoiceSpec(
        key=Choice.COOKIES_PERFORMANCE,
        label="Performance and functionality cookies",
        help_text="Remember preferences and measure how the site is used, so it can work better.",
        scope=Scope.ACCOUNT,
        default=True,
        page=Page.COOKIES,
        opt_out_of_all=False,
        signal=False,
    )
)
REGISTRY.register(
    ChoiceSpec(
        key=Choice.COOKIES_ADVERTISING,
        label="Advertising cookies",
        help_text="Let us and our advertising partners measure and tailor advertising, on this site and others.",
        scope=Scope.ACCOUNT,
        default=True,
        page=Page.COOKIES,
        opt_out_of_all=False,
        signal=False,
    )
)
# R-AD-1, R-PUSH-1: what the mobile app reports about its device. Device-scoped rows, written by the one writer
# with source `app`. Both default to the protective answer until the app has reported: limited, and no push.
REGISTRY.register(
    ChoiceSpec(
        key=Choice.DEVICE_LIMIT_AD_TRACKING,
        label="Device limits ad tracking",
        help_text="The device's own setting: while on, ads on this device are never tailored.",
        scope=Scope.DEVICE,
        default=True,
        page=None,
        opt_out_of_all=False,
        signal=False,
        limits=Choice.BA,
    )
)
REGISTRY.register(
    ChoiceSpec(
        key=Choice.DEVICE_NOTIFICATIONS,
        label="Device allows notifications",
        help_text="The device's notification permission: while off, nothing is queued for push to it.",
        scope=Scope.DEVICE,
        default=False,
        page=None,
        opt_out_of_all=False,
        signal=False,
    )
)

# R-EM-1: email categories, per profile. Marketing email is sent only for a category that is on (consent.email).
# "Opt out of all" covers the privacy page's uses of information, not messages: these keep their own switches.
_EMAIL_CATEGORIES = (
    (Choice.EMAIL_NEW_ARRIVALS, "New arrivals", "Titles just added that this profile may like."),
    (Choice.EMAIL_RECOMMENDATIONS, "Recommendations", "Suggestions based on what this profile watches."),
    (Choice.EMAIL_OFFERS, "Offers and news", "Special offers and news about the service."),
    (Choice.EMAIL_SURVEYS, "Surveys", "Invitations to tell us what you think."),
)
for _key, _label, _help in _EMAIL_CATEGORIES:
    REGISTRY.register(
        ChoiceSpec(
            key=_key,
            label=_label,
            help_text=_help,
            scope=Scope.PROFILE,
            default=True,
            page=Page.EMAILS,
            opt_out_of_all=False,
            signal=False,
        )
    )
REGISTRY.register(
    ChoiceSpec(
        key=Choice.EMAIL_SERVICE,
        label="Service email (billing, security, password reset)",
        help_text="Messages about your membership and its security. They are always sent.",
        scope=Scope.PROFILE,
        default=True,
        page=Page.EMAILS,
        opt_out_of_all=False,
        signal=False,
        can_turn_off=False,
    )
)
# R-SMS-1: text-message categories, per account (the phone is the account's). A password-reset text the member
# asks for is not one of them: it is sent whatever these say, while a number is on file (R-SMS-2).
_TEXT_CATEGORIES = (
    (Choice.SMS_ALERTS, "Alerts", "Texts about your account, such as a new sign-in."),
    (Choice.SMS_OFFERS, "Special offers", "Texts with special offers."),
    (Choice.SMS_SURVEYS, "Surveys", "Texts inviting you to tell us what you think."),
)
for _key, _label, _help in _TEXT_CATEGORIES:
    REGISTRY.register(
        ChoiceSpec(
            key=_key,
            label=_label,
            help_text=_help,
            scope=Scope.ACCOUNT,
            default=True,
            page=Page.TEXTS,
            opt_out_of_all=False,
            signal=False,
        )
    )
# R-SMS-2: deleting the phone number is recorded as this account choice going off, so the trail shows that it
# happened without the number itself. No row is kept for it: the PhoneNumber row is what is on file.
REGISTRY.register(
    ChoiceSpec(
        key=Choice.PHONE_ON_FILE,
        label="Phone number on file",
        help_text="Whether the account has a phone number; the number itself is never recorded here.",
        scope=Scope.ACCOUNT,
        default=False,
        page=None,
        opt_out_of_all=False,
        signal=False,
    )
)

EMAIL_CATEGORIES = tuple(key for key, _label, _help in _EMAIL_CATEGORIES)
TEXT_CATEGORIES = tuple(key for key, _label, _help in _TEXT_CATEGORIES)
