import secrets
from collections.abc import Mapping
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts.models import Account, Profile
from consent import cookies, email, policy, selectors, services, webhooks
from consent.choices import REGISTRY, Choice, ChoiceSpec, Page, Source
from consent.forms import ChoicesForm, switches_of
from consent.http import MemberPrivacyRequest, PrivacyRequest
from consent.middleware import RequestPrivacy
from netflix_privacy.redirects import safe_local_path

ACTIONS = ("save", "opt_out_all", "opt_all_profiles")
ALWAYS_ALLOWED_FIELDS = {"csrfmiddlewaretoken", "action", "shown", "confirm_signal"}

STALE = (
    "Your plan or this profile changed since the page was shown, so nothing was saved. "
    "These are the current settings: check them and save again."
)
NOT_UNDERSTOOD = "That request was not understood, so nothing was changed."
SIGNAL_CONFLICT = (
    "Your browser is sending an opt-out preference signal (Global Privacy Control). Nothing was saved yet: "
    "confirm below to turn these back on for this profile anyway."
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def privacy_settings(request: MemberPrivacyRequest, profile: str) -> HttpResponse:
    """Privacy and data settings for one profile of the signed-in account (R-PDS-1 to R-PDS-7).

    Every answer is this page: a stale or malformed form re-renders it with a message and changes nothing.
    """
    the_profile = account_selectors.profile_of_account(account=request.user, profile_id=profile)
    facts = request.privacy.profile_facts(the_profile)
    shown = policy.choices_on_page(facts, Page.PRIVACY)
    if request.method != "POST":
        return _render(request, the_profile, facts, form=None)

    actor = _member_actor(request.user, request.privacy)
    actions = request.POST.getlist("action") or ["save"]
    action = actions[0]
    posted = set(request.POST) - ALWAYS_ALLOWED_FIELDS
    shown_keys = {spec.key for spec in shown}
    # One form sends one action; two are a forged or broken request, never read as "the last one".
    if (
        len(actions) != 1
        or action not in ACTIONS
        or not posted <= {spec.key for spec in REGISTRY.on_page(Page.PRIVACY)}
    ):
        return _rerender(request, the_profile, facts, NOT_UNDERSTOOD, HTTPStatus.BAD_REQUEST)
    if posted - shown_keys or ("shown" in request.POST and set(request.POST["shown"].split()) != shown_keys):
        return _rerender(request, the_profile, facts, STALE, HTTPStatus.CONFLICT)

    if action == "save":
        form = ChoicesForm(request.POST, choices=shown)
        if not form.is_valid():
            return _render(request, the_profile, facts, form, status=HTTPStatus.BAD_REQUEST)
        values = form.values()
        conflicts = policy.signal_conflicts(facts, values) if request.privacy.signal_covers(the_profile) else []
        if conflicts and request.POST.get("confirm_signal") != "yes":
            messages.warning(request, SIGNAL_CONFLICT)
            return _render(request, the_profile, facts, form, HTTPStatus.CONFLICT, conflicts=conflicts)
        if conflicts:  # R-GPC-6: confirmed, an explicit consent the signal respects from now on
            values = policy.with_signal_consent(values, conflicts)
            actor = replace(actor, context={"overrides_signal": True})
        try:
            changed = services.profile_set_choices(profile=the_profile, values=values, actor=actor)
        except services.ChoiceNotAvailable:  # the plan or kids flag changed between reading and locking
            return _rerender_current(request, profile, STALE, HTTPStatus.CONFLICT)
        _saved_message(request, changed, f"Saved your privacy and data settings for {the_profile.name}.")
    elif action == "opt_out_all":
        if services.profile_opt_out_of_all(profile=the_profile, actor=actor.with_source(Source.OPT_OUT_ALL)):
            messages.success(request, f"{the_profile.name} is opted out of all.")
        else:
            messages.info(request, f"Nothing changed: {the_profile.name} was already opted out of all.")
    else:
        try:
            written = services.account_opt_all_profiles_out(
                account=request.user, from_profile=the_profile, actor=actor.with_source(Source.OPT_ALL_PROFILES)
            )
        except services.NotPrimaryProfile:
            messages.error(request, "Only the primary profile can opt all profiles out of all.")
            return _render(request, the_profile, facts, None, HTTPStatus.FORBIDDEN)
        if written:
            messages.success(
                request,
                "All profiles on your account are opted out of all. Profiles you add later will start opted out.",
            )
        else:
            messages.info(request, "Nothing changed: every profile was already opted out of all.")
    return redirect(the_profile)


def _member_actor(account: Account, privacy: RequestPrivacy, **fields: Any) -> services.Actor:
    """The signed-in member changing their own choices from a page, with the request's jurisdiction."""
    return services.Actor(source=Source.MEMBER, acting_user=account, jurisdiction=privacy.jurisdiction, **fields)


def _saved_message(request: HttpRequest, changed: int, saved: str) -> None:
    if changed:
        messages.success(request, saved)
    else:
        messages.info(request, "Nothing changed: your settings were already like that.")


def _rerender(
    request: MemberPrivacyRequest,
    profile: Profile,
    facts: policy.ProfileFacts,
    message: str,
    status: HTTPStatus,
) -> HttpResponse:
    messages.warning(request, message)
    return _render(request, profile, facts, None, status)


def _rerender_current(request: MemberPrivacyRequest, profile_id: str, message: str, status: HTTPStatus) -> HttpResponse:
    """Re-render with the settings as they are now: the plan or kids flag read at the start of the request
    changed since, so the account and profile are read again (the page says "These are the current settings")."""
    account = Account.objects.get(pk=request.user.pk)
    the_profile = account_selectors.profile_of_account(account=account, profile_id=profile_id)
    facts = selectors.profile_facts(profile=the_profile, account=account)
    return _rerender(request, the_profile, facts, message, status)


def _render(
    request: MemberPrivacyRequest,
    profile: Profile,
    facts: policy.ProfileFacts,
    form: ChoicesForm | None,
    status: HTTPStatus = HTTPStatus.OK,
    conflicts: list[str] | None = None,
) -> HttpResponse:
    """The page with the posted form's values and errors, or (form None) with the stored values."""
    shown = policy.choices_on_page(facts, Page.PRIVACY)
    context = {
        "signal_covers": request.privacy.signal_covers(profile),
        "conflicts": [REGISTRY[key] for key in conflicts or []],
        "posted": [
            (key, "on") for key, value in (form.cleaned_data.items() if form is not None and conflicts else ()) if value
        ],
        "profile": profile,
        "account": profile.account,
        **_switches_context(form, shown, facts.values),
        "ba_shown": policy.behavioral_ads_shown(facts),
        "may_opt_all_profiles_out": policy.may_opt_all_profiles_out(facts),
        "all_profiles_opted_out": facts.values[Choice.ALL_PROFILES_OPT_OUT],
    }
    return render(request, "consent/privacy.html", context, status=status)


# Public pages: landing, cookie choice tool, Privacy Statement, Do Not Sell or Share, GPC resource ----------

AD_ID_COOKIE = "ad_id"


@require_http_methods(["GET", "HEAD"])
def home(request: PrivacyRequest) -> HttpResponse:
    """The landing page. It sets the site's own advertising cookie, `ad_id`, only where advertising cookies are
    allowed (R-CK-3), so enforcement can be seen working."""
    response = render(request, "home.html")
    if request.privacy.cookie_allowed(policy.ADVERTISING) and AD_ID_COOKIE not in request.COOKIES:
        response.set_cookie(
            AD_ID_COOKIE,
            secrets.token_hex(16),
            max_age=int(cookies.MAX_AGE.total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


COOKIE_ACTIONS = {
    "accept_all": "You accepted all cookies.",
    "reject_non_essential": "You rejected non-essential cookies. Only strictly necessary cookies are used.",
    "save": "Saved your cookie choices.",
    "advertising_off": "Advertising cookies are off on this browser.",
}


@require_http_methods(["GET", "HEAD", "POST"])
def cookie_settings(request: PrivacyRequest) -> HttpResponse:
    """The cookie choice tool (R-CK-1 to R-CK-5): what each cookie is for, and the browser's choice.

    The choice goes into the browser's consent cookie; for a signed-in member it is also recorded against the
    account, with an event (R-CK-5). It works as plain forms, without JavaScript (R-CK-4)."""
    privacy = request.privacy
    specs = REGISTRY.on_page(Page.COOKIES)
    current = {_category(spec.key): privacy.cookie_allowed(_category(spec.key)) for spec in specs}
    form = ChoicesForm(choices=specs, initial={spec.key: current[_category(spec.key)] for spec in specs})
    status = HTTPStatus.OK
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "save":
            form = ChoicesForm(request.POST, choices=specs)
        if action not in COOKIE_ACTIONS or (action == "save" and not form.is_valid()):
            messages.warning(request, NOT_UNDERSTOOD)
            status = HTTPStatus.BAD_REQUEST
        else:
            wanted = _cookie_choice(action, form, current)
            kept_off = wanted[policy.ADVERTISING] and privacy.signal_honoured
            if kept_off:  # R-GPC-4: the browser and the account record the same choice
                wanted[policy.ADVERTISING] = False
            next_url = safe_local_path(request, request.POST.get("next")) or reverse("cookies")
            response = redirect(next_url)
            choice = cookies.CookieChoice(categories=wanted)
            cookies.set_choice_cookie(response, choice)
            privacy.record_cookie_choice(choice)
            if privacy.account is not None:
                services.choices_set(
                    account=privacy.account,
                    values={key: wanted[_category(key)] for key in (spec.key for spec in specs)},
                    actor=_member_actor(privacy.account, privacy, context={"cookie_choice_version": cookies.VERSION}),
                )
            messages.success(request, COOKIE_ACTIONS[action])
            if kept_off:
                messages.info(request, SIGNAL_KEEPS_ADS_OFF)
            return response
    switches = {_category(switch.name): switch for switch in form.switches()}
    sections = [
        {"category": category, "switch": switches.get(category), "cookies": listed}
        for category, listed in selectors.cookies_by_category().items()
    ]
    context = {"form": form, "sections": sections, "signal_honoured": privacy.signal_honoured}
    return render(request, "consent/cookies.html", context, status=status)


SIGNAL_KEEPS_ADS_OFF = (
    "Opt-out preference signal honored: your browser sends Global Privacy Control, so advertising cookies are "
    "off on this browser. To allow them, turn the signal off in your browser and choose again here."
)


def _category(key: str) -> str:
    """The cookie category a cookie-page choice stands for (cookies_advertising → advertising)."""
    return key.removeprefix("cookies_")


def _cookie_choice(action: str, form: ChoicesForm, current: dict[str, bool]) -> dict[str, bool]:
    if action == "advertising_off":  # the one-click path of "Do Not Sell or Share"
        return {**current, policy.ADVERTISING: False}
    if action == "accept_all":
        return dict.fromkeys(policy.NON_ESSENTIAL, True)
    if action == "reject_non_essential":
        return dict.fromkeys(policy.NON_ESSENTIAL, False)
    return {_category(key): value for key, value in form.values().items()}


@require_http_methods(["GET", "HEAD"])
def privacy_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/privacy_statement.html")


@require_http_methods(["GET", "HEAD"])
def do_not_sell(request: PrivacyRequest) -> HttpResponse:
    """Do Not Sell or Share My Personal Information: the visitor's one-click path (advertising cookies off),
    the members' path, and how the signal is honoured."""
    return render(request, "consent/do_not_sell.html", {"signal_honoured": request.privacy.signal_honoured})


@require_http_methods(["GET", "HEAD"])
def gpc_json(request: HttpRequest) -> JsonResponse:
    """R-GPC-7: the site's statement that it honours Global Privacy Control."""
    return JsonResponse({"gpc": True, "lastUpdate": settings.PRIVACY_GPC_LAST_UPDATE})


# Email and text-message preferences, one-click unsubscribe, inbound STOP (R-EM-*, R-SMS-*) -----------------


def _posted_choices(request: HttpRequest, shown: tuple[ChoiceSpec, ...], page: Page) -> str | None:
    """None when the POST is one this page sent; else the message for a 400 (not understood) or a 409 (the
    page changed since it was shown)."""
    posted = set(request.POST) - ALWAYS_ALLOWED_FIELDS
    shown_keys = {spec.key for spec in shown}
    if request.POST.getlist("action") not in ([], ["save"]) or not posted <= {s.key for s in REGISTRY.on_page(page)}:
        return NOT_UNDERSTOOD
    if posted - shown_keys or ("shown" in request.POST and set(request.POST["shown"].split()) != shown_keys):
        return STALE
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_preferences(request: MemberPrivacyRequest, profile: str) -> HttpResponse:
    """R-EM-1: one profile's email categories; service email is shown as always on. Every change is audited."""
    the_profile = account_selectors.profile_of_account(account=request.user, profile_id=profile)
    facts = request.privacy.profile_facts(the_profile)
    shown = policy.choices_on_page(facts, Page.EMAILS)
    form: ChoicesForm | None = None  # built from a POST; a GET draws the stored values
    status = HTTPStatus.OK
    if request.method == "POST":
        problem = _posted_choices(request, shown, Page.EMAILS)
        if problem is not None:
            messages.warning(request, problem)
            status = HTTPStatus.BAD_REQUEST if problem == NOT_UNDERSTOOD else HTTPStatus.CONFLICT
        elif not (form := ChoicesForm(request.POST, choices=shown)).is_valid():
            status = HTTPStatus.BAD_REQUEST
        else:
            changed = services.profile_set_choices(
                profile=the_profile, values=form.values(), actor=_member_actor(request.user, request.privacy)
            )
            _saved_message(request, changed, f"Saved the email preferences for {the_profile.name}.")
            return redirect("consent:emails", profile=the_profile.pk)
    context = {"profile": the_profile, **_switches_context(form, shown, facts.values)}
    return render(request, "consent/emails.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def text_preferences(request: MemberPrivacyRequest) -> HttpResponse:
    """R-SMS-1: the account's text categories, shown while a phone number is on file (R-SMS-2)."""
    phone = account_selectors.account_phone(account=request.user)
    shown = policy.account_choices_on_page(Page.TEXTS) if phone else ()
    values = selectors.account_values(account=request.user)
    form: ChoicesForm | None = None  # built from a POST; a GET draws the stored values
    status = HTTPStatus.OK
    if request.method == "POST":
        problem = _posted_choices(request, shown, Page.TEXTS)
        if problem is not None or not shown:
            messages.warning(request, TEXTS_STALE if problem in (None, STALE) else problem)
            status = HTTPStatus.BAD_REQUEST if problem == NOT_UNDERSTOOD else HTTPStatus.CONFLICT
        elif not (form := ChoicesForm(request.POST, choices=shown)).is_valid():
            status = HTTPStatus.BAD_REQUEST
        else:
            changed = services.choices_set(
                account=request.user, values=form.values(), actor=_member_actor(request.user, request.privacy)
            )
            _saved_message(request, changed, "Saved your text message preferences.")
            return redirect("consent:texts")
    context = {"phone": phone, **_switches_context(form, shown, values)}
    return render(request, "consent/texts.html", context, status=status)


def _switches_context(form: ChoicesForm | None, shown: tuple[ChoiceSpec, ...], values: Mapping[str, bool]) -> dict:
    """What includes/switches.html draws: the posted form's switches and errors, or (form None) the stored values."""
    return {
        "form": form,
        "switches": form.switches() if form is not None else switches_of(shown, values),
        "shown_keys": " ".join(spec.key for spec in shown),
    }


TEXTS_STALE = (
    "Your phone number or text settings changed since the page was shown, so nothing was saved. "
    "These are the current settings: check them and save again."
)
BAD_LINK = (
    "This unsubscribe link is not valid any more: it has expired or was changed. Nothing was changed. "
    "Sign in and open Email preferences to choose which emails you get."
)


@csrf_exempt  # RFC 8058: the mail provider POSTs without a session or CSRF token; the signed link is the proof.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """R-EM-2: works without signing in. GET asks to confirm; POST unsubscribes that profile from that category
    (source unsubscribe_link). A tampered or expired link gets a clear page with 400, never a 500."""
    try:
        link = email.unsubscribe_read(token)
    except email.BadUnsubscribeLink:
        return render(request, "consent/unsubscribe.html", {"bad_link": BAD_LINK}, status=HTTPStatus.BAD_REQUEST)
    context = {
        "bad_link": None,
        "profile": link.profile,
        "label": REGISTRY[link.category].label,
        "done": request.method == "POST",
    }
    if request.method == "POST":
        services.profile_unsubscribe(profile=link.profile, category=link.category)
    return render(request, "consent/unsubscribe.html", context)


@csrf_exempt  # called by the SMS provider, authenticated by the HMAC signature over the body
@require_http_methods(["POST"])
def sms_inbound(request: HttpRequest) -> JsonResponse:
    """R-SMS-3: STOP turns every text category off for every account with the sender's number; START and HELP
    get the answers carriers expect. Refused (403) unless signed, recent and new."""
    try:
        webhooks.verify(
            body=request.body,
            timestamp=request.headers.get(webhooks.TIMESTAMP_HEADER),
            signature=request.headers.get(webhooks.SIGNATURE_HEADER),
        )
    except webhooks.Refused:
        return JsonResponse({"error": "not signed, too old, or seen before"}, status=HTTPStatus.FORBIDDEN)
    try:
        inbound = webhooks.parse(request.body)
    except webhooks.Malformed:
        return JsonResponse({"error": "expected JSON with from (E.164) and text"}, status=HTTPStatus.BAD_REQUEST)
    if inbound.keyword in webhooks.STOP_WORDS:
        services.texts_stop(number=inbound.number)
        return JsonResponse({"reply": webhooks.STOP_REPLY})
    if inbound.keyword in webhooks.START_WORDS:
        return JsonResponse({"reply": webhooks.START_REPLY})
    if inbound.keyword in webhooks.HELP_WORDS:
        return JsonResponse({"reply": webhooks.HELP_REPLY})
    return JsonResponse({"reply": None})
