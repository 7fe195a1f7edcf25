"""The cookie choice tool (R-CK-1 to R-CK-5, R-GPC-4)."""

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from common.redirects import safe_local_path
from consent import cookies, policy, selectors, services
from consent.choices import REGISTRY, Page
from consent.forms import ChoicesForm
from consent.http import PrivacyRequest
from consent.views.helpers import NOT_UNDERSTOOD, member_actor

COOKIE_ACTIONS = {
    "accept_all": _("You accepted all cookies."),  # or all but advertising: policy.cookie_accept_message
    "reject_non_essential": _("You rejected non-essential cookies. Only strictly necessary cookies are used."),
    "save": _("Saved your cookie choices."),
    "advertising_off": _("Advertising cookies are off on this browser."),
}
SIGNAL_KEEPS_ADS_OFF = _(
    "Opt-out preference signal honored: your browser sends Global Privacy Control, so advertising cookies are "
    "off on this browser. To allow them, turn the signal off in your browser and choose again here."
)


@require_http_methods(["GET", "HEAD", "POST"])
def cookie_settings(request: PrivacyRequest) -> HttpResponse:
    """What each cookie is for, and the browser's choice.

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
            asked = _cookie_choice(action, form, current)
            wanted = policy.signal_cookie_choice(asked, signal_honoured=privacy.signal_honoured)
            response = redirect(safe_local_path(request, request.POST.get("next")) or reverse("cookies"))
            choice = cookies.CookieChoice(categories=wanted)
            cookies.set_choice_cookie(response, choice)
            privacy.record_cookie_choice(choice)
            if privacy.account is not None:  # R-CK-5, the same record the browser keeps (R-GPC-4)
                services.choices_set(
                    account=privacy.account,
                    values={spec.key: wanted[_category(spec.key)] for spec in specs},
                    actor=member_actor(privacy.account, privacy, context={"cookie_choice_version": cookies.VERSION}),
                )
            done = policy.cookie_accept_message(wanted) if action == "accept_all" else COOKIE_ACTIONS[action]
            messages.success(request, done)
            if asked[policy.ADVERTISING] and not wanted[policy.ADVERTISING]:
                messages.info(request, SIGNAL_KEEPS_ADS_OFF)
            return response
    fields = {_category(name): form[name] for name in form.fields}
    sections = [
        {"category": category, "field": fields.get(category), "cookies": listed}
        for category, listed in selectors.cookies_by_category().items()
    ]
    context = {
        "form": form,
        "sections": sections,
        "signal_honoured": privacy.signal_honoured,
        "accept_label": policy.cookie_accept_label(signal_honoured=privacy.signal_honoured),
    }
    return render(request, "consent/cookies.html", context, status=status)


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
