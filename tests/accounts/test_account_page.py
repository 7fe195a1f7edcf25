"""Account: Membership & Billing, and each profile's Privacy and data settings link (docs/rules.md, Accounts and
profiles)."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Account, PhoneNumber
from consent import policy, services
from consent.choices import Choice
from tests.factories import StaffFactory
from tests.helpers import GPC, actor, profile_named

pytestmark = pytest.mark.django_db


def test_account_page_shows_membership_and_every_profiles_settings_link(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = member_client.get(reverse("account")).content.decode()
    assert "Membership &amp; Billing" in html
    assert ads_account.email in html
    assert "Standard with ads" in html
    assert "+1 415-555-0123" in html
    for profile in ads_account.profiles.all():
        assert profile.get_absolute_url() in html
    assert html.count("Privacy and data settings") == 3
    assert "<dt>Billing region</dt><dd>California</dd>" in html  # by name, not its code US-CA


def test_an_account_without_profiles_gets_the_member_pages_not_an_error(client):
    """View-only staff have an account and no profile at all; the pages that need none answer as for anyone."""
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(Account.objects.get(pk=staff.pk))
    for url in (
        reverse("account"),
        reverse("profiles"),
        reverse("phone"),
        reverse("phone") + "?delete",
        reverse("profile_add"),
        reverse("consent:texts"),
    ):
        assert client.get(url, **GPC).status_code == HTTPStatus.OK, url


# Marketing Communications (R-MC-1) -------------------------------------------------------------------------------


def marketing_section(html: str) -> str:
    start = html.index('aria-labelledby="marketing-heading"')
    return " ".join(html[start : html.index("</section>", start)].split())


def profile_block(section: str, name: str) -> str:
    start = section.index(f'<h3 class="marketing-profile">{name}')
    return section[start : section.index("</li>", start)]


def test_marketing_communications_shows_each_profiles_mic_and_email_with_links__R_MC_1(member_client, ads_account):
    """R-MC-1: per profile, MIC and the email categories in effect, each linking to the page that changes it."""
    sam, alex = profile_named(ads_account, "Sam"), profile_named(ads_account, "Alex")
    services.choices_set(account=ads_account, profile=sam, values={Choice.MIC: False}, actor=actor(user=ads_account))
    services.choices_set(
        account=ads_account,
        profile=alex,
        values={Choice.EMAIL_OFFERS: False, Choice.EMAIL_SURVEYS: False},
        actor=actor(user=ads_account),
    )
    section = marketing_section(member_client.get(reverse("account")).content.decode())
    assert '<h2 id="marketing-heading">Marketing Communications</h2>' in section
    alex_block, sam_block = profile_block(section, "Alex"), profile_block(section, "Sam")
    assert "<dt>Matched Identifier Communications</dt> <dd>On" in alex_block
    assert "<dt>Matched Identifier Communications</dt> <dd>Off" in sam_block
    assert "<dt>Marketing email</dt> <dd>New arrivals, Recommendations <a" in alex_block
    assert "<dt>Marketing email</dt> <dd>New arrivals, Recommendations, Offers and news, Surveys <a" in sam_block
    for profile, block in ((alex, alex_block), (sam, sam_block)):
        assert (
            f'href="{profile.get_absolute_url()}">Change<span class="visually-hidden"> Matched Identifier '
            f"Communications for {profile.name}</span>" in block
        )
        emails = reverse("consent:emails", kwargs={"profile": profile.pk})
        assert (
            f'href="{emails}">Change<span class="visually-hidden"> marketing email for {profile.name}</span>' in block
        )


def test_marketing_email_all_off_reads_off__R_MC_1(member_client, ads_account):
    alex = profile_named(ads_account, "Alex")
    off = {key: False for key in ("email_new_arrivals", "email_recommendations", "email_offers", "email_surveys")}
    services.choices_set(account=ads_account, profile=alex, values=off, actor=actor(user=ads_account))
    section = marketing_section(member_client.get(reverse("account")).content.decode())
    assert "<dt>Marketing email</dt> <dd>Off <a" in profile_block(section, "Alex")


def test_kids_profile_is_shown_getting_no_marketing_email__R_MC_1_R_EM_3(member_client, ads_account):
    """R-EM-3: a kids profile gets no marketing email, whatever its categories say; nothing to change there."""
    kids = profile_named(ads_account, "Kids")
    block = profile_block(marketing_section(member_client.get(reverse("account")).content.decode()), "Kids")
    assert "<dt>Marketing email</dt> <dd>Kids profiles get no marketing email</dd>" in block
    assert reverse("consent:emails", kwargs={"profile": kids.pk}) not in block
    assert f'href="{kids.get_absolute_url()}">Change' in block, "MIC stays the kids profile's to change"


def test_marketing_communications_shows_the_accounts_texts_in_effect__R_MC_1(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    services.choices_set(account=ads_account, values={Choice.SMS_OFFERS: False}, actor=actor(user=ads_account))
    section = marketing_section(member_client.get(reverse("account")).content.decode())
    assert (
        '<dt>Text messages</dt> <dd>Alerts, Surveys <a class="dd-link" href="/account/texts/">Change'
        '<span class="visually-hidden"> text messages</span></a>' in section
    )


def test_without_a_phone_no_texts_are_shown_in_effect_and_adding_one_is_offered__R_MC_1(member_client, ads_account):
    """R-SMS-2: without a number on file no text is sent, whatever the categories say."""
    section = marketing_section(member_client.get(reverse("account")).content.decode())
    assert (
        '<dd>None: texts need a phone number on your account <a class="dd-link" href="/account/phone/">'
        'Add a phone number<span class="visually-hidden"> for text messages</span></a>' in section
    )


def test_marketing_communications_follow_the_policy_for_every_profile__R_MC_1(ads_account):
    """The section answers what the senders ask (policy.mic_allowed, marketing_email_to_profile)."""
    from consent import selectors

    account = Account.objects.get(pk=ads_account.pk)
    profiles = list(account.profiles.order_by("slot"))
    shown = selectors.marketing_communications(
        account=account, profiles=profiles, stored=selectors.stored_values(account=account)
    )
    for row in shown.profiles:
        facts = selectors.profile_facts(profile=row.profile, account=account)
        assert row.mic == policy.mic_allowed(facts)
        assert row.email == policy.marketing_email_to_profile(facts) == (not row.profile.is_kids)


def test_the_account_page_is_in_spanish_with_the_members_own_details_as_they_are__R_I18N_1(member_client, ads_account):
    """R-I18N-1: headings, facts, the plan's name and the links in Spanish; the email, number and profile names
    as they are."""
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = member_client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html
    assert "<h1>Cuenta</h1>" in html
    assert "Membresía y facturación</h2>" in html
    assert "<dt>Correo electrónico</dt><dd>" + ads_account.email in html
    assert "<dd>Estándar con anuncios</dd>" in html
    assert "<dt>Región de facturación</dt><dd>California</dd>" in html
    assert "+1 415-555-0123" in html
    assert "Cambiar número de teléfono</a>" in html
    assert "Preferencias de mensajes de texto</a>" in html
    assert "Perfiles</h2>" in html
    assert 'Configuración de privacidad y datos<span class="visually-hidden"> de Sam</span>' in html
    assert html.count("Configuración de privacidad y datos<") == 3
    assert "Dispositivos</h2>" in html


def test_the_marketing_communications_words_agree_with_what_they_describe_in_spanish__R_MC_1_R_I18N_1(
    member_client, ads_account
):
    """R-I18N-1: "On" and "Off" agree with the feminine plural "Comunicaciones…" and the masculine "Correo…" and
    "Mensajes…", each word on its own line of the section."""
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    alex, sam = profile_named(ads_account, "Alex"), profile_named(ads_account, "Sam")
    off = {key: False for key in ("email_new_arrivals", "email_recommendations", "email_offers", "email_surveys")}
    services.choices_set(
        account=ads_account, profile=sam, values={Choice.MIC: False, **off}, actor=actor(user=ads_account)
    )
    texts_off = {Choice.SMS_ALERTS: False, Choice.SMS_OFFERS: False, Choice.SMS_SURVEYS: False}
    services.choices_set(account=ads_account, values=texts_off, actor=actor(user=ads_account))

    section = marketing_section(member_client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="es").content.decode())

    assert "<dt>Comunicaciones con identificador coincidente</dt> <dd>Activadas" in profile_block(section, alex.name)
    sam_block = profile_block(section, sam.name)
    assert "<dt>Comunicaciones con identificador coincidente</dt> <dd>Desactivadas" in sam_block
    assert "<dt>Correo electrónico de marketing</dt> <dd>Desactivado <a" in sam_block
    assert "<dt>Mensajes de texto</dt> <dd>Desactivados <a" in section


@pytest.mark.parametrize(
    ("region", "language", "shown"),
    [
        ("US-CA", "en", "California"),
        ("GB", "en", "The United Kingdom"),
        ("GB", "es", "El Reino Unido"),
        ("", "en", "Not set"),
    ],
)
def test_the_billing_region_is_shown_by_its_name_in_the_pages_language(
    member_client, ads_account, region, language, shown
):
    Account.objects.filter(pk=ads_account.pk).update(region=region)

    html = member_client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f"</dt><dd>{shown}</dd>" in html
