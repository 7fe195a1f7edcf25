"""Template tags of the consent app: gates for cookie categories (R-CK-3: advertising markup and scripts only where
allowed), the Account page's Marketing Communications section (R-MC-1) and the names of places."""

from django import template

from consent import selectors
from consent.places import place_name

register = template.Library()


@register.simple_tag(takes_context=True)
def cookies_allowed(context: template.Context, category: str) -> bool:
    """`{% cookies_allowed "advertising" as ads %}{% if ads %}…{% endif %}`: false without a privacy context."""
    request = context.get("request")
    privacy = getattr(request, "privacy", None)
    return bool(privacy and privacy.cookie_allowed(category))


@register.inclusion_tag("includes/marketing_communications.html", takes_context=True)
def marketing_communications(context: template.Context) -> dict[str, object]:
    """`{% marketing_communications %}`: the Account page's Marketing Communications section (R-MC-1), drawn from
    the request's privacy facts (its profiles and stored choices: no query of its own). The accounts app's page
    shows consent state this way without importing consent."""
    request = context["request"]
    return {
        "marketing": selectors.marketing_communications(
            account=request.user, profiles=request.member.profiles, stored=request.privacy.stored
        )
    }


@register.filter
def place(code: str) -> str:
    """`{{ account.region|place }}`: a jurisdiction code by its name in the page's language ("California")."""
    return place_name(code)
