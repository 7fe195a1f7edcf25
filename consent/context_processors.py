from django.http import HttpRequest


def privacy(request: HttpRequest) -> dict[str, object]:
    """`privacy` in every template: the request's privacy context (consent.middleware), computed on first use,
    so pages of other apps can show consent state without importing consent."""
    return {"privacy": getattr(request, "privacy", None)}
