"""The member's devices (R-DEV-1): what the app reported about each, how to change it on the device (seed 000),
and "Sign out this device", asked to confirm first on a page of its own, so it works without JavaScript."""

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from consent import selectors, services
from consent.forms import DeviceSignOutForm
from consent.http import MemberPrivacyRequest
from consent.models import Device
from consent.views.helpers import member_actor


def _the_accounts_device(request: MemberPrivacyRequest, data: Mapping[str, Any]) -> Device:
    """The account's device the form names; 404 alike for another account's, an unknown and a malformed id."""
    form = DeviceSignOutForm(data)
    device = (
        selectors.account_device(account=request.user, device_id=form.cleaned_data["device"])
        if form.is_valid()
        else None
    )
    if device is None:
        raise Http404("No such device")
    return device


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def devices(request: MemberPrivacyRequest) -> HttpResponse:
    """The list; with ?confirm=<device> the question "Sign out this device?"; a POST signs the device out."""
    if request.method == "POST":
        device = _the_accounts_device(request, request.POST)
        actor = member_actor(request.user, request.privacy)
        if services.device_sign_out(account=request.user, device=device, actor=actor):
            messages.success(
                request, gettext("The device was signed out. The app on it will ask you to sign in again.")
            )
        else:
            messages.info(request, gettext("That device was already signed out."))
        return redirect("consent:devices")
    if "confirm" in request.GET:
        device = _the_accounts_device(request, {"device": request.GET.get("confirm")})
        return render(request, "consent/device_sign_out.html", {"device": device})
    return render(request, "consent/devices.html", {"devices": selectors.account_devices(account=request.user)})
