"""Privacy and data settings for one profile (R-PDS-1 to R-PDS-7, R-GPC-6)."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise

from accounts import selectors as account_selectors
from accounts.models import Account, Profile
from consent import policy, selectors, services
from consent.choices import REGISTRY, Choice, Page, Source
from consent.forms import ChoicesForm, PostProblem, choices_post_problem
from consent.http import MemberPrivacyRequest
from consent.views.helpers import NOT_UNDERSTOOD, STALE, member_actor, saved_message, strong_list, switches_context

ACTIONS = ("save", "opt_out_all", "opt_all_profiles")

SIGNAL_CONFLICT = gettext_lazy(
    "Your browser is sending an opt-out preference signal (Global Privacy Control). Nothing was saved yet: "
    "confirm below to turn these back on for this profile anyway."
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def privacy_settings(request: MemberPrivacyRequest, profile: str) -> HttpResponse:
    """Every answer is this page: a stale or malformed form re-renders it with a message and changes nothing."""
    the_profile = request.member.profile(profile)
    facts = request.privacy.profile_facts(the_profile)
    if request.method != "POST":
        return _render(request, the_profile, facts)

    shown = policy.choices_on_page(facts, Page.PRIVACY)
    problem = choices_post_problem(request.POST, shown=shown, page=Page.PRIVACY, actions=ACTIONS)
    if problem is PostProblem.NOT_UNDERSTOOD:
        messages.warning(request, NOT_UNDERSTOOD)
        return _render(request, the_profile, facts, status=HTTPStatus.BAD_REQUEST)
    if problem is PostProblem.STALE:
        messages.warning(request, STALE)
        return _render(request, the_profile, facts, status=HTTPStatus.CONFLICT)

    actor = member_actor(request.user, request.privacy)
    action = request.POST.get("action", "save")
    if action == "save":
        form = ChoicesForm(request.POST, choices=shown)
        if not form.is_valid():
            return _render(request, the_profile, facts, form, status=HTTPStatus.BAD_REQUEST)
        try:
            changed = services.profile_set_choices(
                profile=the_profile,
                values=form.values(),
                actor=actor,
                under_signal=request.privacy.signal_covers(the_profile),
                confirmed=request.POST.get("confirm_signal") == "yes",
            )
        except services.SignalConflict as conflict:
            messages.warning(request, SIGNAL_CONFLICT)
            return _render(request, the_profile, facts, form, HTTPStatus.CONFLICT, conflicts=conflict.conflicts)
        except services.ChoiceNotAvailable:  # the plan or kids flag changed between reading and locking
            return _render_current(request, profile, STALE, HTTPStatus.CONFLICT)
        saved_message(
            request,
            changed,
            gettext("Saved your privacy and data settings for %(name)s.") % {"name": the_profile.name},
        )
    elif action == "opt_out_all":
        if services.profile_opt_out_of_all(profile=the_profile, actor=actor.with_source(Source.OPT_OUT_ALL)):
            messages.success(request, gettext("%(name)s is opted out of all.") % {"name": the_profile.name})
        else:
            messages.info(
                request,
                gettext("Nothing changed: %(name)s was already opted out of all.") % {"name": the_profile.name},
            )
    else:
        try:
            written = services.account_opt_all_profiles_out(
                account=request.user, from_profile=the_profile, actor=actor.with_source(Source.OPT_ALL_PROFILES)
            )
        except services.NotPrimaryProfile:
            messages.error(request, gettext("Only the primary profile can opt all profiles out of all."))
            return _render(request, the_profile, facts, status=HTTPStatus.FORBIDDEN)
        if written:
            messages.success(
                request,
                gettext(
                    "All profiles on your account are opted out of all. Profiles you add later will start opted out."
                ),
            )
        else:
            messages.info(request, gettext("Nothing changed: every profile was already opted out of all."))
    return redirect(the_profile)


def _render_current(
    request: MemberPrivacyRequest, profile_id: str, message: StrOrPromise, status: HTTPStatus
) -> HttpResponse:
    """Re-render with the settings as they are now: the plan or kids flag read at the start of the request
    changed since, so the account and profile are read again (the page says "These are the current settings")."""
    account = Account.objects.get(pk=request.user.pk)
    the_profile = account_selectors.find_profile(account_selectors.account_profiles(account=account), profile_id)
    if the_profile is None:
        raise Http404("No such profile")
    messages.warning(request, message)
    return _render(request, the_profile, selectors.profile_facts(profile=the_profile, account=account), status=status)


def _render(
    request: MemberPrivacyRequest,
    profile: Profile,
    facts: policy.ProfileFacts,
    form: ChoicesForm | None = None,
    status: HTTPStatus = HTTPStatus.OK,
    conflicts: list[str] | None = None,
) -> HttpResponse:
    """The page with the posted form's values and errors, or (form None) with the stored values."""
    shown = policy.choices_on_page(facts, Page.PRIVACY)
    if form is None:
        form = ChoicesForm(choices=shown, initial=facts.values)
    all_opted_out = facts.values[Choice.ALL_PROFILES_OPT_OUT]
    context = {
        "signal_covers": request.privacy.signal_covers(profile),
        "conflicts": [REGISTRY[key] for key in conflicts or []],
        "conflict_names": strong_list([REGISTRY[key].label for key in conflicts or []]),
        "posted": [(key, "on") for key, value in (form.cleaned_data.items() if conflicts else ()) if value],
        "profile": profile,
        "account": profile.account,
        **switches_context(form, shown),
        "ba_shown": policy.behavioral_ads_shown(facts),
        "may_opt_all_profiles_out": policy.may_opt_all_profiles_out(facts),
        "all_profiles_opted_out": all_opted_out,
        "all_profiles_notice": _all_profiles_notice(profile.account) if all_opted_out else "",
        "plan_has_ads": facts.plan_has_ads,
        # R-PDS-3, R-PDS-4: nothing left to turn off is said, not offered as a button that would change nothing.
        "opted_out_of_all": not policy.opt_out_of_all(facts),
        "every_profile_opted_out": all_opted_out
        and not any(policy.opt_out_of_all(request.privacy.profile_facts(each)) for each in request.member.profiles),
    }
    return render(request, "consent/privacy.html", context, status=status)


# R-PDS-4: the notice that the account-wide opt-out is in force says who turned it on, from its event's source:
# the member's button is named only when the member clicked it. Whole sentences, so each reads well translated.
ALL_PROFILES_NOTICE: dict[str, StrOrPromise] = {
    Source.OPT_ALL_PROFILES: gettext_lazy(
        "“Opt all profiles out of all” is in force: every profile, including profiles added later, starts opted out."
    ),
    Source.GPC: gettext_lazy(
        "Your browser sent the Global Privacy Control signal while watching as the primary profile, so every "
        "profile, including profiles added later, starts opted out."
    ),
    Source.ADMIN: gettext_lazy(
        "Support staff opted every profile on your account out of all: every profile, including profiles added "
        "later, starts opted out."
    ),
}
ALL_PROFILES_NOTICE_OTHERWISE = gettext_lazy(
    "Your account is opted out of all: every profile, including profiles added later, starts opted out."
)


def _all_profiles_notice(account: Account) -> StrOrPromise:
    source = selectors.all_profiles_opt_out_source(account=account)
    return ALL_PROFILES_NOTICE.get(source, ALL_PROFILES_NOTICE_OTHERWISE)
