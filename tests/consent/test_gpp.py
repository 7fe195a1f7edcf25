"""R-API-2: every eligibility answer carries the profile's GPP string (the header and the US National section,
version 2, with its GPC sub-section), its opt-outs decided by the policy the pages use and its declarations by
the PRIVACY_GPP_* settings. IAB's own decoder reads them back in tests/consent/test_gpp_iab_decode.py."""

import json
from datetime import UTC, datetime

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from consent import gpp, policy, services
from consent.choices import Choice, Scope, Source
from consent.models import ConsentEvent
from tests.helpers import GPC, actor, profile_named, register_device, watching

TOKEN = "test-service-token-0123456789"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}

# IAB Tech Lab's published strings (iabgpp-es 3.2.0, test/encoder/section/UsNat.test.ts and GppModel.test.ts),
# with the values they stand for.
EVERY_FIELD_SET: dict[str, gpp.FieldValue] = {
    "SharingNotice": 1,
    "SaleOptOutNotice": 1,
    "SharingOptOutNotice": 1,
    "TargetedAdvertisingOptOutNotice": 1,
    "SensitiveDataProcessingOptOutNotice": 1,
    "SensitiveDataLimitUseNotice": 1,
    "SaleOptOut": 1,
    "SharingOptOut": 1,
    "TargetedAdvertisingOptOut": 1,
    "SensitiveDataProcessing": (2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2),
    "KnownChildSensitiveDataConsents": (2, 1, 0),
    "PersonalDataConsents": 1,
    "MspaCoveredTransaction": 1,
    "MspaOptOutOptionMode": 1,
    "MspaServiceProviderMode": 2,
}
DEFAULTS: dict[str, gpp.FieldValue] = {
    **{name: (0,) * count if count > 1 else 0 for name, _bits, count in gpp.USNAT_CORE if name != "Version"},
    "MspaCoveredTransaction": 1,
}
IAB_EXAMPLES = [
    ("DBABLA~CVVVkkkkkpFY.YA", gpp.UsNat(fields=EVERY_FIELD_SET, gpc=True)),
    ("DBABLA~CAAAAAAAAABA.QA", gpp.UsNat(fields=DEFAULTS, gpc=False)),
    (
        "DBABLA~CAAAVVVVVVRA.QA",
        gpp.UsNat(
            fields={**DEFAULTS, "SensitiveDataProcessing": (1,) * 16, "KnownChildSensitiveDataConsents": (1,) * 3},
            gpc=False,
        ),
    ),
]


def facts(*, plan_has_ads=True, is_kids=False, **stored: bool) -> policy.ProfileFacts:
    values = policy.current_values(stored, scopes=[Scope.PROFILE, Scope.ACCOUNT])
    return policy.ProfileFacts(plan_has_ads=plan_has_ads, is_kids=is_kids, is_primary=True, values=values)


OPT_OUTS = ("SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut")


@pytest.mark.parametrize(("text", "section"), IAB_EXAMPLES)
def test_the_encoder_writes_iabs_published_strings__R_API_2(text, section):
    assert gpp.encode(section) == text
    assert gpp.decode(text) == section


def test_the_header_names_only_us_national__R_API_2():
    assert gpp.header() == "DBABLA"


@pytest.mark.parametrize(
    ("profile", "opted_out"),
    [
        (facts(), False),
        (facts(ba=False), True),  # behavioral advertising on the ad plan may be a sale, sharing, targeting
        (facts(mic=False), True),  # marketing on third-party services may be too
        (facts(plan_has_ads=False, ba=False), False),  # no ads on the plan: BA is no use at all
        (facts(plan_has_ads=False, mic=False), True),
        (facts(is_kids=True, ba=False), False),  # BA does not exist on a kids profile; MIC decides
        (facts(is_kids=True, mic=False), True),
    ],
)
def test_opt_outs_follow_ba_where_it_applies_and_mic__R_API_2(profile, opted_out):
    fields = gpp.decode(policy.gpp_string(profile, setup=policy.GppSetup())).fields
    expected = gpp.OPTED_OUT if opted_out else gpp.DID_NOT_OPT_OUT
    assert {name: fields[name] for name in OPT_OUTS} == dict.fromkeys(OPT_OUTS, expected)


def test_a_device_limiting_ad_tracking_reads_as_opted_out__R_API_2_R_AD_1():
    limited = policy.DeviceFacts(values={Choice.DEVICE_LIMIT_AD_TRACKING: True, Choice.DEVICE_NOTIFICATIONS: False})
    fields = gpp.decode(policy.gpp_string(facts(), limited, setup=policy.GppSetup())).fields
    assert fields["TargetedAdvertisingOptOut"] == gpp.OPTED_OUT


def test_the_field_table_with_the_default_declarations__R_API_2():
    section = policy.gpp_section(facts(), setup=policy.GppSetup())
    assert section.gpc is False
    assert section.fields == {
        "SharingNotice": gpp.YES,
        "SaleOptOutNotice": gpp.YES,
        "SharingOptOutNotice": gpp.YES,
        "TargetedAdvertisingOptOutNotice": gpp.YES,
        "SensitiveDataProcessingOptOutNotice": gpp.NOT_APPLICABLE,
        "SensitiveDataLimitUseNotice": gpp.NOT_APPLICABLE,
        "SaleOptOut": gpp.DID_NOT_OPT_OUT,
        "SharingOptOut": gpp.DID_NOT_OPT_OUT,
        "TargetedAdvertisingOptOut": gpp.DID_NOT_OPT_OUT,
        "SensitiveDataProcessing": (gpp.NOT_APPLICABLE,) * 16,
        "KnownChildSensitiveDataConsents": (gpp.NOT_APPLICABLE,) * 3,
        "PersonalDataConsents": gpp.NOT_APPLICABLE,
        "MspaCoveredTransaction": gpp.NO,
        "MspaOptOutOptionMode": gpp.NOT_APPLICABLE,
        "MspaServiceProviderMode": gpp.NOT_APPLICABLE,
    }


def test_a_kids_profile_is_a_known_child_without_consent__R_API_2():
    fields = policy.gpp_section(facts(is_kids=True), setup=policy.GppSetup()).fields
    assert fields["KnownChildSensitiveDataConsents"] == (gpp.NO,) * 3


def test_notices_not_given_read_as_no_and_every_use_as_opted_out__R_API_2():
    fields = policy.gpp_section(facts(), setup=policy.GppSetup(notices_given=False)).fields
    assert [fields[name] for name in ("SharingNotice", "SaleOptOutNotice", "TargetedAdvertisingOptOutNotice")] == [
        gpp.NO
    ] * 3
    assert [fields[name] for name in OPT_OUTS] == [gpp.OPTED_OUT] * 3


@pytest.mark.parametrize(
    ("mode", "opt_out_mode", "service_provider_mode"), [("opt_out", 1, 2), ("service_provider", 2, 1)]
)
def test_an_mspa_covered_business_names_its_mode__R_API_2(mode, opt_out_mode, service_provider_mode):
    fields = policy.gpp_section(facts(), setup=policy.GppSetup(mspa_covered=True, mspa_mode=mode)).fields
    assert (fields["MspaCoveredTransaction"], fields["MspaOptOutOptionMode"], fields["MspaServiceProviderMode"]) == (
        gpp.YES,
        opt_out_mode,
        service_provider_mode,
    )


def test_the_gpc_sub_section_is_set_once_the_signal_covered_the_profile__R_API_2_R_GPC_3():
    assert policy.gpp_section(facts(signal_received=True), setup=policy.GppSetup()).gpc is True


@given(
    fields=st.fixed_dictionaries(
        {
            name: st.tuples(*[st.integers(0, 3)] * count) if count > 1 else st.integers(0, 3)
            for name, _bits, count in gpp.USNAT_CORE
            if name != "Version"
        }
    ),
    gpc=st.booleans(),
)
def test_any_section_reads_back_as_it_was_written__R_API_2(fields, gpc):
    section = gpp.UsNat(fields=fields, gpc=gpc)
    text = gpp.encode(section)
    assert gpp.decode(text) == section
    assert text.startswith("DBABLA~")
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~.")


@given(
    stored=st.dictionaries(st.sampled_from([Choice.MIC, Choice.BA, Choice.SIGNAL_RECEIVED]), st.booleans()),
    plan_has_ads=st.booleans(),
    is_kids=st.booleans(),
    notices_given=st.booleans(),
)
def test_the_string_never_allows_more_than_the_pages__R_API_2(stored, plan_has_ads, is_kids, notices_given):
    profile = facts(plan_has_ads=plan_has_ads, is_kids=is_kids, **stored)
    fields = gpp.decode(policy.gpp_string(profile, setup=policy.GppSetup(notices_given=notices_given))).fields
    allowed = [fields[name] == gpp.DID_NOT_OPT_OUT for name in OPT_OUTS]
    if any(allowed):
        assert notices_given
        assert policy.mic_allowed(profile)
        assert policy.behavioral_ads_allowed(profile) or not policy.behavioral_ads_shown(profile)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({}, 0),
        ({"PRIVACY_GPP_MSPA_COVERED": True, "PRIVACY_GPP_MSPA_MODE": "opt_out"}, 0),
        ({"PRIVACY_GPP_MSPA_COVERED": True}, 1),
        ({"PRIVACY_GPP_MSPA_MODE": "service_provider"}, 1),
        ({"PRIVACY_GPP_MSPA_COVERED": True, "PRIVACY_GPP_MSPA_MODE": "sometimes"}, 1),
        ({"PRIVACY_GPP_NOTICES_GIVEN": "yes"}, 1),
    ],
)
def test_bad_gpp_declarations_stop_start_up__R_API_2(overrides, errors):
    with override_settings(**overrides):
        found = [error for error in run_checks() if error.id == "consent.E001"]
    assert len(found) == errors, found


# Through the API -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_single_and_batch_answers_carry_the_same_string__R_API_2(client, ads_account):
    sam = profile_named(ads_account, "Sam")
    services.profile_opt_out_of_all(profile=sam, actor=actor())
    single = client.get("/api/v1/eligibility", {"profile": str(sam.pk)}, **AUTH).json()
    batch = client.post(
        "/api/v1/eligibility/batch", json.dumps({"profiles": [str(sam.pk)]}), content_type="application/json", **AUTH
    ).json()
    assert single["gpp"] == batch["results"][0]["gpp"]
    assert [gpp.decode(single["gpp"]).fields[name] for name in OPT_OUTS] == [gpp.OPTED_OUT] * 3


@pytest.mark.django_db
def test_the_answer_on_a_limited_device_reads_as_opted_out__R_API_2_R_AD_1(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    device = register_device(ads_account, limited=True)
    body = client.get("/api/v1/eligibility", {"profile": str(alex.pk), "device": str(device.pk)}, **AUTH).json()
    assert gpp.decode(body["gpp"]).fields["TargetedAdvertisingOptOut"] == gpp.OPTED_OUT


@pytest.mark.django_db
@pytest.mark.time_machine(datetime(2027, 3, 15, 12, 0, tzinfo=UTC), tick=False)
@override_settings(PRIVACY_GPC_EVERYWHERE=True)
def test_an_honoured_signal_sets_the_gpc_sub_section_and_stays__R_API_2_R_GPC_8(client, ads_account):
    sam = profile_named(ads_account, "Sam")

    def sams_string() -> gpp.UsNat:
        return gpp.decode(client.get("/api/v1/eligibility", {"profile": str(sam.pk)}, **AUTH).json()["gpp"])

    assert sams_string().gpc is False
    watching(client, ads_account, "Sam").get("/account/", **GPC)
    after = sams_string()
    assert after.gpc is True
    assert after.fields["SaleOptOut"] == gpp.OPTED_OUT
    watching(client, ads_account, "Sam").get("/account/")  # no signal now: nothing turns back (R-GPC-8)
    assert sams_string().gpc is True
    # The record is audited like any choice, once.
    assert ConsentEvent.objects.filter(profile=sam, choice=Choice.SIGNAL_RECEIVED, source=Source.GPC).count() == 1
