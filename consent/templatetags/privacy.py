"""Template gates for cookie categories (R-CK-3): advertising markup and scripts only where allowed."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def cookies_allowed(context: template.Context, category: str) -> bool:
    """`{% cookies_allowed "advertising" as ads %}{% if ads %}…{% endif %}`: false without a privacy context."""
    request = context.get("request")
    privacy = getattr(request, "privacy", None)
    return bool(privacy and privacy.cookie_allowed(category))
