"""The request's privacy context, worked out once (`request.privacy`), and the signal middleware.

Middleware only reads the request and annotates it; services write. The one documented exception
(docs/architecture.md, "Where a rule lives") is here: when a request carries an honoured Global Privacy Control
signal and the policy says something would change, PrivacyMiddleware calls the services to apply it. On the way
out it adds `Vary: Sec-GPC`, records an honoured signal in the browser's consent cookie, and drops cookies the
browser has not allowed (R-CK-3).
"""

from collections.abc import Callable, Mapping
from contextlib import suppress
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from accounts.member import Member
from accounts.models import Account, Profile
from consent import cookies, policy, selectors, services
from consent.choices import Choice, Source

SIGNAL_HEADER = "Sec-GPC"
SIGNAL_META_KEY = "HTTP_SEC_GPC"  # how the WSGI environment names it


class RequestPrivacy:
    """What the request says about privacy, each fact computed on first use: a request that asks for none
    of them costs no query."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def signal(self) -> bool:
        """R-GPC-1: the request carries the opt-out preference signal."""
        # From META: request.headers would build a mapping of every header on each request just to read this one.
        return policy.signal_present(self._request.META.get(SIGNAL_META_KEY))

    @cached_property
    def jurisdiction(self) -> str:
        """R-GPC-2: the trusted proxy's header, else the signed-in account's billing region, else unknown."""
        header = settings.PRIVACY_REGION_HEADER
        proxy_value = self._request.headers.get(header) if header else None
        account = self.account
        return policy.resolve_jurisdiction(proxy_value=proxy_value, account_region=account.region if account else None)

    @property
    def member(self) -> Member:
        return self._request.member  # type: ignore[attr-defined]  # set by accounts.middleware.MemberMiddleware

    @property
    def account(self) -> Account | None:
        return self.member.account

    @cached_property
    def rules(self) -> selectors.Rules:
        """The jurisdiction rules and the cookie registry, read once per request: the signal, the cookie rules and
        enforcement judge by the same copy."""
        return selectors.rules()

    @cached_property
    def signal_honoured(self) -> bool:
        """R-GPC-2: the signal is present and the law of the request's jurisdiction requires honouring it."""
        return self.signal and policy.signal_honoured(
            jurisdiction=self.jurisdiction,
            rules=self.rules.jurisdictions if self.jurisdiction else {},
            today=timezone.localdate(),
            everywhere=settings.PRIVACY_GPC_EVERYWHERE,
        )

    @cached_property
    def active_profile(self) -> Profile | None:
        """The profile chosen on "Who's watching?", if the member has chosen one."""
        return self.member.active_profile

    def signal_covers(self, profile: Profile) -> bool:
        """R-GPC-6: the honoured signal applies to this profile: it is the active one, or the active one is
        the primary profile (which covers the whole account)."""
        active = self.active_profile
        return (
            self.signal_honoured
            and active is not None
            and active.account_id == profile.account_id
            and policy.signal_covers(active_is_primary=active.is_primary, is_active_profile=active.pk == profile.pk)
        )

    @cached_property
    def cookie_choice(self) -> cookies.CookieChoice | None:
        """The browser's recorded cookie choice (R-CK-2), or None when it has none we can trust."""
        return cookies.read_choice(self._request.COOKIES.get(cookies.CONSENT_COOKIE))

    def cookie_allowed_by_record(self, category: str) -> bool:
        """Whether the consent cookie (not the signal) allows the category: true without a record."""
        recorded = self.cookie_choice
        return recorded is None or bool(recorded.categories.get(category))

    @cached_property
    def cookie_opt_in_required(self) -> bool:
        """R-CK-2: non-essential cookies start off here until the browser chooses; an unknown jurisdiction
        fails safe (opt-in) without reading the rules."""
        return not self.jurisdiction or policy.cookie_opt_in_required(
            jurisdiction=self.jurisdiction, rules=self.rules.jurisdictions, today=timezone.localdate()
        )

    @cached_property
    def cookie_categories(self) -> frozenset[str]:
        """The cookie categories this browser allows now (R-CK-2, R-GPC-4)."""
        recorded = self.cookie_choice
        return policy.cookie_categories_allowed(
            choice=recorded.categories if recorded else None,
            opt_in_required=(recorded is None or not recorded.by_visitor) and self.cookie_opt_in_required,
            signal_honoured=self.signal_honoured,
            by_visitor=recorded.by_visitor if recorded else True,
        )

    @property
    def cookie_banner(self) -> policy.CookieBanner:
        """R-CK-2: the banner's words for this request's region and signal."""
        return policy.cookie_banner(
            opt_in_required=self.cookie_opt_in_required,
            signal_honoured=self.signal_honoured,
            advertising_off=not self.cookie_allowed_by_record(policy.ADVERTISING),
        )

    def record_cookie_choice(self, choice: cookies.CookieChoice) -> None:
        """The browser's choice as of this response (the cookie tool just set it): enforcement follows it now."""
        self.cookie_choice = choice  # a cached_property takes an assignment
        with suppress(AttributeError):  # computed again from the new choice on next use
            del self.cookie_categories

    def cookie_allowed(self, category: str) -> bool:
        return category in self.cookie_categories

    @property
    def has_cookie_choice(self) -> bool:
        """The visitor has chosen (the banner is shown until then)."""
        return self.cookie_choice is not None and self.cookie_choice.by_visitor

    @cached_property
    def stored(self) -> selectors.Stored:
        """The signed-in account's stored choices, read once per request: the signal check and the page share
        them. A write through the signal reads them again (`forget_stored`); a page that writes redirects."""
        return selectors.stored_values(account=self.account) if self.account else {}

    @property
    def account_values(self) -> Mapping[str, bool]:
        """The signed-in account's account-scoped choices; empty for a visitor."""
        if self.account is None:
            return {}
        return selectors.account_facts_from(account=self.account, stored=self.stored).values

    def profile_facts(self, profile: Profile) -> policy.ProfileFacts:
        """The facts of a profile of the signed-in account."""
        return selectors.facts_from(profile=profile, account=profile.account, stored=self.stored)

    def forget_stored(self) -> None:
        with suppress(AttributeError):
            del self.stored

    @property
    def all_profiles_opted_out(self) -> bool:
        """R-PDS-4: "Opt all profiles out of all" is in force for the signed-in account."""
        return self.account_values.get(Choice.ALL_PROFILES_OPT_OUT, False)


class PrivacyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        privacy = RequestPrivacy(request)
        request.privacy = privacy  # type: ignore[attr-defined]  # HttpRequest has no such slot
        if privacy.signal:
            self._apply_signal(privacy)
        response = self.get_response(request)
        patch_vary_headers(response, [SIGNAL_HEADER])
        if privacy.signal_honoured and privacy.cookie_allowed_by_record(policy.ADVERTISING):
            # R-GPC-4: recorded in the browser's consent cookie: advertising off, the rest as it stands.
            recorded = privacy.cookie_choice
            categories = {category: category in privacy.cookie_categories for category in policy.NON_ESSENTIAL}
            choice = cookies.CookieChoice(
                categories=policy.signal_cookie_choice(categories, signal_honoured=True),
                by_visitor=recorded.by_visitor if recorded else False,
            )
            cookies.set_choice_cookie(response, choice)
        cookies.enforce(
            response,
            allowed=lambda: privacy.cookie_categories,
            browser_cookies=request.COOKIES,
            category_of=lambda name: privacy.rules.category_of(name),
        )
        return response

    @staticmethod
    def _apply_signal(privacy: RequestPrivacy) -> None:
        """R-GPC-3, R-GPC-5: a signed-in member with an active profile is opted out, once. The check reads
        the facts the page reads anyway; only a real change takes locks and writes."""
        account, active = privacy.account, privacy.active_profile
        if account is None or active is None or not privacy.signal_honoured:
            return
        covered = services.signal_covered(privacy.member.profiles, active)
        per_profile, on_account = policy.signal_changes(
            {profile.pk: privacy.profile_facts(profile) for profile in covered}, from_primary=active.is_primary
        )
        if per_profile or on_account:
            actor = services.Actor(source=Source.GPC, acting_user=account, jurisdiction=privacy.jurisdiction)
            services.signal_apply(account=account, active_profile=active, actor=actor)
            privacy.forget_stored()
