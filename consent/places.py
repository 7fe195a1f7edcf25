"""Names of the jurisdictions the consent trail records (R-AU-1), for the member's privacy history (R-HIST-1).

Events store ISO 3166 codes: a US state or Canadian province (`US-CA`, `CA-QC`), else a country (`FR`). The
member reads a name, as it stands after "in": "in California", "in the United States". A small table rather
than a library: the codes an account or a request can carry here are the billing regions members have and the
countries the site serves; any other code is shown as it is.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

_ = gettext_lazy

US_STATES = {
    "US-AL": _("Alabama"),
    "US-AK": _("Alaska"),
    "US-AZ": _("Arizona"),
    "US-AR": _("Arkansas"),
    "US-CA": _("California"),
    "US-CO": _("Colorado"),
    "US-CT": _("Connecticut"),
    "US-DE": _("Delaware"),
    "US-DC": _("the District of Columbia"),
    "US-FL": _("Florida"),
    "US-GA": _("Georgia"),
    "US-HI": _("Hawaii"),
    "US-ID": _("Idaho"),
    "US-IL": _("Illinois"),
    "US-IN": _("Indiana"),
    "US-IA": _("Iowa"),
    "US-KS": _("Kansas"),
    "US-KY": _("Kentucky"),
    "US-LA": _("Louisiana"),
    "US-ME": _("Maine"),
    "US-MD": _("Maryland"),
    "US-MA": _("Massachusetts"),
    "US-MI": _("Michigan"),
    "US-MN": _("Minnesota"),
    "US-MS": _("Mississippi"),
    "US-MO": _("Missouri"),
    "US-MT": _("Montana"),
    "US-NE": _("Nebraska"),
    "US-NV": _("Nevada"),
    "US-NH": _("New Hampshire"),
    "US-NJ": _("New Jersey"),
    "US-NM": _("New Mexico"),
    "US-NY": _("New York"),
    "US-NC": _("North Carolina"),
    "US-ND": _("North Dakota"),
    "US-OH": _("Ohio"),
    "US-OK": _("Oklahoma"),
    "US-OR": _("Oregon"),
    "US-PA": _("Pennsylvania"),
    "US-RI": _("Rhode Island"),
    "US-SC": _("South Carolina"),
    "US-SD": _("South Dakota"),
    "US-TN": _("Tennessee"),
    "US-TX": _("Texas"),
    "US-UT": _("Utah"),
    "US-VT": _("Vermont"),
    "US-VA": _("Virginia"),
    "US-WA": _("Washington"),
    "US-WV": _("West Virginia"),
    "US-WI": _("Wisconsin"),
    "US-WY": _("Wyoming"),
    "US-PR": _("Puerto Rico"),
}

CANADIAN_PROVINCES = {
    "CA-AB": _("Alberta"),
    "CA-BC": _("British Columbia"),
    "CA-MB": _("Manitoba"),
    "CA-NB": _("New Brunswick"),
    "CA-NL": _("Newfoundland and Labrador"),
    "CA-NS": _("Nova Scotia"),
    "CA-NT": _("the Northwest Territories"),
    "CA-NU": _("Nunavut"),
    "CA-ON": _("Ontario"),
    "CA-PE": _("Prince Edward Island"),
    "CA-QC": _("Quebec"),
    "CA-SK": _("Saskatchewan"),
    "CA-YT": _("Yukon"),
}

# The EEA, the UK and Switzerland (the cookie rules' opt-in regions), and the other countries the service bills.
COUNTRIES = {
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "HR": _("Croatia"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "FR": _("France"),
    "DE": _("Germany"),
    "GR": _("Greece"),
    "HU": _("Hungary"),
    "IS": _("Iceland"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "LV": _("Latvia"),
    "LI": _("Liechtenstein"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "MT": _("Malta"),
    "NL": _("the Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SK": _("Slovakia"),
    "SI": _("Slovenia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
    "CH": _("Switzerland"),
    "GB": _("the United Kingdom"),
    "US": _("the United States"),
    "CA": _("Canada"),
    "MX": _("Mexico"),
}

PLACES: dict[str, Promise] = {**US_STATES, **CANADIAN_PROVINCES, **COUNTRIES}


def place_name(code: str) -> str:
    """The name of a jurisdiction as it reads after "in" ("California", "the United States"), in the active
    language; an unknown code as it is; empty for none."""
    if not code:
        return ""
    name = PLACES.get(code)
    return str(name) if name is not None else code
