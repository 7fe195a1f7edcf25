"""The member's privacy history (R-HIST-1): every change of the account's choices, newest first, a page at a
time, or all of it as a CSV or JSON download."""

from collections.abc import Iterator
from datetime import tzinfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accounts.http import MemberRequest
from common import db
from consent import history, selectors
from consent.forms import HistoryForm

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
# Events read per round trip of a download: memory stays flat however long the history is.
DOWNLOAD_CHUNK = 1000


@login_required
@require_http_methods(["GET", "HEAD"])
def privacy_history(request: MemberRequest) -> HttpResponse | StreamingHttpResponse:
    """The page, or with ?format=csv or ?format=json the same rows (same filter, every page) as a download. An
    unknown profile (another account's included) or format answers 404."""
    profiles = request.member.profiles
    form = HistoryForm(request.GET, profiles=profiles)
    if not form.is_valid():
        raise Http404("No such profile or format")
    events = selectors.history_events(account=request.user, only=form.selection())
    kind = form.cleaned_data["format"]
    if kind:
        subjects = selectors.history_subjects(account=request.user, profiles=profiles)
        return _download(history.rows(events.iterator(chunk_size=DOWNLOAD_CHUNK), subjects), kind)
    page = Paginator(events, history.PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    subjects = selectors.history_subjects(account=request.user, profiles=profiles, events=shown)
    chosen = form.cleaned_data["profile"]
    context = {
        "form": form,
        "page": page,
        "rows": list(history.rows(shown, subjects)),
        "filtered": bool(chosen),
        "filter_query": urlencode({"profile": chosen}) + "&" if chosen else "",
    }
    return render(request, "consent/privacy_history.html", context)


def _download(rows: Iterator[history.Row], kind: str) -> StreamingHttpResponse:
    chunks = history.csv_chunks(rows) if kind == "csv" else history.json_chunks(rows)
    response = StreamingHttpResponse(
        _as_requested(chunks, translation.get_language(), timezone.get_current_timezone()),
        content_type=CONTENT_TYPES[kind],
    )
    response["Content-Disposition"] = f'attachment; filename="{history.download_name(timezone.localdate(), kind)}"'
    return response


def _as_requested(chunks: Iterator[str], language: str | None, zone: tzinfo) -> Iterator[str]:
    """The download is written after the view returns, while the server sends it: in the request's language and
    time zone, and with its query under the same deadline as the request's own (common.db)."""
    with translation.override(language), timezone.override(zone), db.bounded_waits():
        yield from chunks
