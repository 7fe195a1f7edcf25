"""R-API-1, R-API-2: the answer a downstream system gets for a profile, in one place for every reader (the
single and batch endpoints, the change feed): what it may do, by the rules the pages use (consent.policy), and
the profile's GPP string.

`answers(profile_ids)` is the set-based read: one query of plain rows on PostgreSQL, two elsewhere, however many
profiles (consent.selectors.facts_and_phone_by_profile_id), and each distinct set of facts is decided once, since
a batch of a thousand profiles has only a few dozen of them. An answer is a JSON-ready dict (ids as text).
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from consent import checks, policy, selectors


def answer(
    profile_id: UUID,
    facts: policy.ProfileFacts,
    *,
    has_phone: bool,
    device_id: UUID | None = None,
    device: policy.DeviceFacts | None = None,
    setup: policy.GppSetup | None = None,
) -> dict[str, Any]:
    """One profile's answer (on one device if named): `profile`, `device`, `behavioral_advertising`, `mic`,
    `choices` (every choice a member sets on a profile's or the account's pages) and `gpp`."""
    return {
        "profile": str(profile_id),
        "device": None if device_id is None else str(device_id),
        **_decided(facts, device, has_phone=has_phone, setup=setup or checks.gpp_setup()),
    }


def _decided(
    facts: policy.ProfileFacts, device: policy.DeviceFacts | None, *, has_phone: bool, setup: policy.GppSetup
) -> dict[str, Any]:
    return {
        "behavioral_advertising": policy.behavioral_ads_allowed(facts, device),
        "mic": policy.mic_allowed(facts),
        "choices": policy.eligibility(facts, device, has_phone=has_phone),
        "gpp": policy.gpp_string(facts, device, setup=setup),
    }


def _decide_all(wanted: list[UUID]) -> Iterator[tuple[UUID, dict[str, Any]]]:
    """Each existing profile of `wanted`, in order, with its decided fields; profiles with the same facts share
    one (unchanging) dict of them."""
    found = selectors.facts_and_phone_by_profile_id(wanted)
    setup = checks.gpp_setup()
    decided: dict[tuple[int, bool], dict[str, Any]] = {}
    for pk in wanted:
        if pk not in found:
            continue
        facts, has_phone = found[pk]
        key = (id(facts), has_phone)  # the selector hands out one facts object per distinct set
        if key not in decided:
            decided[key] = _decided(facts, None, has_phone=has_phone, setup=setup)
        yield pk, decided[key]


def answers(profile_ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
    """The answers of these profiles (any accounts), by profile id, in the order asked; a profile that does
    not exist is absent. One query on PostgreSQL, two elsewhere, whatever the number."""
    return {
        pk: {"profile": str(pk), "device": None, **fields}
        for pk, fields in _decide_all(list(dict.fromkeys(profile_ids)))
    }


def answers_json(profile_ids: Iterable[UUID]) -> tuple[str, list[UUID]]:
    """The same answers as `answers`, written as one JSON array (the batch endpoint's `results`), and the ids
    that do not exist. Each distinct answer is encoded once; a profile adds only its id."""
    wanted = list(dict.fromkeys(profile_ids))
    encoded: dict[int, str] = {}
    parts, seen = [], set()
    for pk, fields in _decide_all(wanted):
        seen.add(pk)
        fragment = encoded.get(id(fields))
        if fragment is None:
            fragment = encoded[id(fields)] = json.dumps(fields, separators=(",", ":"))[1:-1]
        parts.append(f'{{"profile":"{pk}","device":null,{fragment}}}')
    return f"[{','.join(parts)}]", [pk for pk in wanted if pk not in seen]
