"""The request's privacy context, worked out once (`request.privacy`), and the signal middleware.

Middleware only reads the request and annotates it; services write. The one documented exception (STYLE.md,
rule 5) is here: when a request carries an honoured Global Privacy Control signal and the policy says something
would change, PrivacyMiddleware calls the services to apply it. On the way out it adds `Vary: Sec-GPC`, records
an honoured signal in the browser's consent cookie, and drops cookies the browser has not allowed (R-CK-3).
"""

from collections.abc import Callable, Mapping
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from accounts.models import Profile
from accounts.selectors import account_profiles as _account_profiles
from accounts.sessions import active_profile
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

    @cached_property
    def account(self):  # -> Account | None
        user = getattr(self._request, "user", None)
        return user if user is not None and user.is_authenticated else None

    @cached_property
    def _rules(self) -> Mapping[str, policy.JurisdictionRule]:
        # Read once per request: the signal and the cookie rules judge by the same copy.
        return selectors.jurisdiction_rules() if self.jurisdiction else {}

    @cached_property
    def signal_honoured(self) -> bool:
        """R-GPC-2: the signal is present and the law of the request's jurisdiction requires honouring it."""
        return self.signal and policy.signal_honoured(
            jurisdiction=self.jurisdiction,
            rules=self._rules,
            today=timezone.localdate(),
            everywhere=settings.PRIVACY_GPC_EVERYWHERE,
        )

    @cached_property
    def active_profile(self) -> Profile | None:
        """The profile chosen on "Who's watching?", if the member has chosen one."""
        return active_profile(self._request) if self.account else None

    def signal_covers(self, profile: Profile) -> bool:
        """R-GPC-6: the honoured signal applies to this profile: it is the active one, or the active one is
        the primary profile (which covers the whole account)."""
        active = self.active_profile
        return (
            self.signal_honoured
            and active is not None
            and active.account_id == profile.account_id
            and (active.is_primary or active.pk == profile.pk)
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
        """R-CK-2: non-essential cookies start off here until the browser chooses."""
        return bool(self.jurisdiction) and policy.cookie_opt_in_required(
            jurisdiction=self.jurisdiction, rules=self._rules, today=timezone.localdate()
        )

    @cached_property
    def cookie_categories(self) -> frozenset[str]:
        """The cookie categories this browser allows now (R-CK-2, R-GPC-4)."""
        recorded = self.cookie_choice
        return policy.cookie_categories_allowed(
            choice=recorded.categories if recorded else None,
            opt_in_required=recorded is None and self.cookie_opt_in_required,
            signal_honoured=self.signal_honoured,
        )

    def record_cookie_choice(self, choice: cookies.CookieChoice) -> None:
        """The browser's choice as of this response (the cookie tool just set it): enforcement follows it now."""
        self.__dict__["cookie_choice"] = choice
        self.__dict__.pop("cookie_categories", None)

    def cookie_allowed(self, category: str) -> bool:
        return category in self.cookie_categories

    @property
    def has_cookie_choice(self) -> bool:
        """The visitor has chosen (the banner is shown until then)."""
        return self.cookie_choice is not None and self.cookie_choice.by_visitor

    @cached_property
    def account_values(self) -> dict[str, bool]:
        """The signed-in account's account-scoped choices; empty for a visitor."""
        return selectors.account_values(account=self.account) if self.account else {}

    @cached_property
    def _stored(self) -> selectors.Stored:
        return selectors.stored_values(account=self.account)

    def profile_facts(self, profile: Profile) -> policy.ProfileFacts:
        """A profile of the signed-in account's facts, its stored values read once per request: the signal check
        and the page share the query. A write through the signal reads them again (`forget_stored`); a page that
        writes redirects."""
        return selectors.facts_from(profile=profile, account=self.account, stored=self._stored)

    def forget_stored(self) -> None:
        self.__dict__.pop("_stored", None)
        self.__dict__.pop("account_values", None)

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
            by_visitor = recorded.by_visitor if recorded else False
            choice = cookies.CookieChoice(categories={**categories, policy.ADVERTISING: False}, by_visitor=by_visitor)
            cookies.set_choice_cookie(response, choice)
        cookies.enforce(
            response,
            allowed=lambda: privacy.cookie_categories,
            browser_cookies=request.COOKIES,
            category_of=selectors.cookie_category,
        )
        return response

    @staticmethod
    def _apply_signal(privacy: RequestPrivacy) -> None:
        """R-GPC-3, R-GPC-5: a signed-in member with an active profile is opted out, once. The check reads
        the facts (one query, the profiles being shared with the page); only a real change takes locks and
        writes."""
        account, active = privacy.account, privacy.active_profile
        if account is None or active is None or not privacy.signal_honoured:
            return
        profiles = [p for p in _account_profiles(account=account) if active.is_primary or p.pk == active.pk]
        facts = [privacy.profile_facts(profile) for profile in profiles]
        pending = any(policy.signal_values(f) for f in facts) or (
            active.is_primary and not facts[0].values[Choice.ALL_PROFILES_OPT_OUT]
        )
        if pending:
            actor = services.Actor(source=Source.GPC, acting_user=account, jurisdiction=privacy.jurisdiction)
            services.signal_apply(account=account, active_profile=active, actor=actor)
            privacy.forget_stored()
