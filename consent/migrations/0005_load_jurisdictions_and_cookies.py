"""The jurisdictions and cookies the site ships with (R-GPC-9, R-CK-1, R-CK-2). Staff edit them in the admin.

US states whose privacy laws require honouring an opt-out preference signal (Global Privacy Control), each
from the day that duty starts, and the regions where non-essential cookies need opt-in consent. Each row says
where it comes from. Sources as of 2026-11; a new law is a new row in the admin, not a code change.
"""

import datetime

from django.db import migrations

D = datetime.date

SIGNAL = [
    ("US-CA", "California", D(2020, 8, 14),
     "CCPA, Cal. Civ. Code §1798.135; 11 CCR §7025 (eff. 2023-03-29), first 11 CCR §999.315(c) (eff. 2020-08-14)"),
    ("US-CO", "Colorado", D(2024, 7, 1),
     "Colorado Privacy Act, C.R.S. §6-1-1306(1)(a)(IV); 4 CCR 904-3 Rules 5.08–5.09, universal opt-out from 2024-07-01"),
    ("US-CT", "Connecticut", D(2025, 1, 1),
     "Connecticut Data Privacy Act, Conn. Gen. Stat. §42-520, opt-out preference signals from 2025-01-01"),
    ("US-TX", "Texas", D(2025, 1, 1),
     "Texas Data Privacy and Security Act, Tex. Bus. & Com. Code §541.055(e), universal opt-out from 2025-01-01"),
    ("US-MT", "Montana", D(2025, 1, 1),
     "Montana Consumer Data Privacy Act (SB 384, 2023), opt-out preference signals from 2025-01-01"),
    ("US-NH", "New Hampshire", D(2025, 1, 1),
     "New Hampshire privacy act, RSA 507-H (SB 255, 2024), opt-out preference signals from 2025-01-01"),
    ("US-NE", "Nebraska", D(2025, 1, 1),
     "Nebraska Data Privacy Act (LB 1074, 2024), opt-out preference signals from 2025-01-01"),
    ("US-NJ", "New Jersey", D(2025, 7, 15),
     "New Jersey Data Privacy Act, N.J.S.A. 56:8-166.4 et seq., universal opt-out from 2025-07-15"),
    ("US-MN", "Minnesota", D(2025, 7, 31),
     "Minnesota Consumer Data Privacy Act, Minn. Stat. ch. 325M, opt-out preference signals from 2025-07-31"),
    ("US-MD", "Maryland", D(2025, 10, 1),
     "Maryland Online Data Privacy Act (2024), opt-out preference signals from 2025-10-01"),
    ("US-OR", "Oregon", D(2026, 1, 1),
     "Oregon Consumer Privacy Act, ORS 646A.570 et seq., opt-out preference signals from 2026-01-01"),
    ("US-DE", "Delaware", D(2026, 1, 1),
     "Delaware Personal Data Privacy Act, 6 Del. C. ch. 12D, universal opt-out from 2026-01-01"),
]

EEA = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czechia",
    "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "GR": "Greece",
    "HU": "Hungary", "IE": "Ireland", "IT": "Italy", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg",
    "MT": "Malta", "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia",
    "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "IS": "Iceland", "LI": "Liechtenstein", "NO": "Norway",
}
EEA_SOURCE = "ePrivacy Directive 2002/58/EC art. 5(3) as amended by 2009/136/EC (consent from 2011-05-25); GDPR art. 7"
COOKIE_OPT_IN = [
    *((code, name, D(2011, 5, 25), EEA_SOURCE) for code, name in EEA.items()),
    ("GB", "United Kingdom", D(2011, 5, 26), "PECR 2003 reg. 6, as amended by SI 2011/1208 (from 2011-05-26)"),
    ("CH", "Switzerland", D(2023, 9, 1), "Revised Federal Act on Data Protection and FDPIC cookie guidance (2023-09-01)"),
]

COOKIES = [
    ("sessionid", "necessary", "Keeps you signed in as you move from page to page.", "2 weeks"),
    ("csrftoken", "necessary", "Protects the site's forms from cross-site request forgery.", "1 year"),
    ("messages", "necessary", "Carries a one-time confirmation, such as “Saved”, to the next page.", "Session"),
    ("privacy_consent", "necessary", "Remembers the cookie choices you made on this browser.", "1 year"),
    ("ad_id", "advertising", "A random identifier that measures our own advertising on this browser.", "1 year"),
]


def load(apps, schema_editor):
    Jurisdiction = apps.get_model("consent", "Jurisdiction")
    Cookie = apps.get_model("consent", "Cookie")
    for code, name, since, source in SIGNAL:
        Jurisdiction.objects.update_or_create(
            code=code, defaults={"name": name, "honours_signal_from": since, "source": source}
        )
    for code, name, since, source in COOKIE_OPT_IN:
        Jurisdiction.objects.update_or_create(
            code=code, defaults={"name": name, "cookie_opt_in_from": since, "source": source}
        )
    for name, category, purpose, lifetime in COOKIES:
        Cookie.objects.update_or_create(
            name=name, defaults={"category": category, "purpose": purpose, "lifetime": lifetime}
        )


def unload(apps, schema_editor):
    apps.get_model("consent", "Jurisdiction").objects.filter(
        code__in=[row[0] for row in (*SIGNAL, *COOKIE_OPT_IN)]
    ).delete()
    apps.get_model("consent", "Cookie").objects.filter(name__in=[row[0] for row in COOKIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_jurisdictions_and_cookies")]

    operations = [migrations.RunPython(load, unload)]
