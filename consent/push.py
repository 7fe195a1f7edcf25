"""The push queue (R-PUSH-1): nothing is queued for a device whose notification permission is off."""

from consent import policy, selectors
from consent.models import Device, PushMessage


def push_enqueue(*, device: Device, title: str, body: str) -> PushMessage | None:
    """Queue a push message for the device, or return None and queue nothing when the policy says no."""
    if not policy.push_allowed(selectors.device_facts(device=device)):
        return None
    return PushMessage.objects.create(device=device, title=title, body=body)
