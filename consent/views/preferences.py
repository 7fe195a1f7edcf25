"""Email preferences per profile (R-EM-1) and text-message preferences per account (R-SMS-1)."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from consent import policy, services
from consent.choices import Page
from consent.forms import ChoicesForm, PostProblem, choices_post_problem
from consent.http import MemberPrivacyRequest
from consent.views.helpers import NOT_UNDERSTOOD, STALE, member_actor, saved_message, switches_context

TEXTS_STALE = gettext_lazy(
    "Your phone number or text settings changed since the page was shown, so nothing was saved. "
    "These are the current settings: check them and save again."
)
PROBLEM_STATUS = {PostProblem.NOT_UNDERSTOOD: HTTPStatus.BAD_REQUEST, PostProblem.STALE: HTTPStatus.CONFLICT}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_preferences(request: MemberPrivacyRequest, profile: str) -> HttpResponse:
    """One profile's email categories; service email is shown as always on. Every change is audited."""
    the_profile = request.member.profile(profile)
    facts = request.privacy.profile_facts(the_profile)
    shown = policy.choices_on_page(facts, Page.EMAILS)
    form = ChoicesForm(choices=shown, initial=facts.values)
    status = HTTPStatus.OK
    if request.method == "POST":
        problem = choices_post_problem(request.POST, shown=shown, page=Page.EMAILS)
        if problem is not None:
            messages.warning(request, NOT_UNDERSTOOD if problem is PostProblem.NOT_UNDERSTOOD else STALE)
            status = PROBLEM_STATUS[problem]
        elif not (form := ChoicesForm(request.POST, choices=shown)).is_valid():
            status = HTTPStatus.BAD_REQUEST
        else:
            changed = services.profile_set_choices(
                profile=the_profile, values=form.values(), actor=member_actor(request.user, request.privacy)
            )
            saved_message(
                request, changed, gettext("Saved the email preferences for %(name)s.") % {"name": the_profile.name}
            )
            return redirect("consent:emails", profile=the_profile.pk)
    context = {
        "profile": the_profile,
        "marketing_offered": policy.marketing_email_offered(facts),
        **switches_context(form, shown),
    }
    return render(request, "consent/emails.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def text_preferences(request: MemberPrivacyRequest) -> HttpResponse:
    """The account's text categories, shown while a phone number is on file (R-SMS-2)."""
    phone = account_selectors.account_phone(account=request.user)
    shown = policy.account_choices_on_page(Page.TEXTS) if phone else ()
    form = ChoicesForm(choices=shown, initial=request.privacy.account_values)
    status = HTTPStatus.OK
    if request.method == "POST":
        problem = choices_post_problem(request.POST, shown=shown, page=Page.TEXTS)
        if problem is PostProblem.NOT_UNDERSTOOD:
            messages.warning(request, NOT_UNDERSTOOD)
            status = HTTPStatus.BAD_REQUEST
        elif problem is PostProblem.STALE or not shown:
            messages.warning(request, TEXTS_STALE)
            status = HTTPStatus.CONFLICT
        elif not (form := ChoicesForm(request.POST, choices=shown)).is_valid():
            status = HTTPStatus.BAD_REQUEST
        else:
            changed = services.choices_set(
                account=request.user, values=form.values(), actor=member_actor(request.user, request.privacy)
            )
            saved_message(request, changed, gettext("Saved your text message preferences."))
            return redirect("consent:texts")
    context = {"phone": phone, **switches_context(form, shown)}
    return render(request, "consent/texts.html", context, status=status)
