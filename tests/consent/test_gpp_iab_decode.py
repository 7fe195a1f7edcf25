"""R-API-2: IAB Tech Lab's own decoder (`@iabgpp/cmpapi`, pinned in tests/js/package.json) reads the GPP strings
the API writes back to the values the policy decided, and reads IAB's published example strings as the project's
decoder does. Locally the test is skipped until `npm ci` has run in tests/js; in CI (.ci/run runs it) a skip is a
failure, as for every test."""

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Profile
from consent import gpp, policy
from consent.choices import Scope
from tests.consent.test_gpp import AUTH, IAB_EXAMPLES

JS = Path(__file__).resolve().parent.parent / "js"
LIBRARY = JS / "node_modules" / "@iabgpp" / "cmpapi"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not LIBRARY.is_dir(),
    reason="needs node and IAB's library: run `npm ci` in tests/js",
)


def iab_decode(strings: list[str]) -> list[dict]:
    """What IAB's library reads in each string: its header's section ids and its US National fields."""
    done = subprocess.run(
        [str(NODE), str(JS / "decode.mjs")],
        input=json.dumps(strings),
        capture_output=True,
        text=True,
        cwd=JS,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def as_iab_reads(section: gpp.UsNat) -> dict:
    """The project's values under IAB's names, as IAB's library reports a US National section."""
    return {
        "Version": gpp.USNAT_VERSION,
        **{name: list(value) if isinstance(value, tuple) else value for name, value in section.fields.items()},
        "GpcSegmentType": gpp.GPC_SEGMENT_TYPE,
        "Gpc": section.gpc,
    }


def every_kind_of_profile() -> list[gpp.UsNat]:
    """Every combination the policy tells apart: plan, kids, BA, MIC, the signal, and each declaration."""
    sections = []
    setups = [
        policy.GppSetup(),
        policy.GppSetup(notices_given=False),
        policy.GppSetup(mspa_covered=True, mspa_mode="opt_out"),
        policy.GppSetup(mspa_covered=True, mspa_mode="service_provider"),
    ]
    for plan_has_ads, is_kids, ba, mic, signal, setup in itertools.product(
        [True, False], [True, False], [True, False], [True, False], [True, False], setups
    ):
        values = policy.current_values(
            {"ba": ba, "mic": mic, "signal_received": signal}, scopes=[Scope.PROFILE, Scope.ACCOUNT]
        )
        facts = policy.ProfileFacts(plan_has_ads=plan_has_ads, is_kids=is_kids, is_primary=True, values=values)
        sections.append(policy.gpp_section(facts, setup=setup))
    return sections


def test_iab_reads_every_kind_of_profile_as_the_policy_decided__R_API_2():
    sections = every_kind_of_profile()
    decoded = iab_decode([gpp.encode(section) for section in sections])
    assert len(decoded) == len(sections) == 128
    for section, read in zip(sections, decoded, strict=True):
        assert read == {"sectionIds": [gpp.USNAT_ID], "usnat": as_iab_reads(section)}


def test_iab_reads_its_published_examples_as_the_project_does__R_API_2():
    decoded = iab_decode([text for text, _section in IAB_EXAMPLES])
    for (text, section), read in zip(IAB_EXAMPLES, decoded, strict=True):
        assert read["usnat"] == as_iab_reads(section), text
        assert gpp.decode(text) == section


@pytest.mark.django_db
def test_iab_reads_the_strings_the_api_answers__R_API_2(client):
    call_command("seed_demo", verbosity=0)
    wanted = [str(pk) for pk in Profile.objects.values_list("pk", flat=True)]
    body = client.post(
        "/api/v1/eligibility/batch", json.dumps({"profiles": wanted}), content_type="application/json", **AUTH
    ).json()
    strings = [result["gpp"] for result in body["results"]]
    assert len(strings) == len(wanted) == 6
    for text, read in zip(strings, iab_decode(strings), strict=True):
        assert read == {"sectionIds": [gpp.USNAT_ID], "usnat": as_iab_reads(gpp.decode(text))}
