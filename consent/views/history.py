"""The member's privacy history (R-HIST-1): every change of the account's choices, newest first, a page at a
time, or all of it as a CSV or JSON download."""

from collections.abc import Iterator, Mapping
from datetime import tzinfo
from functools import cached_property
from typing import Any, overload

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
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
    page = Paginator(_CountedWithThePage(events, request.GET.get("page")), history.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
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


Event = Mapping[str, Any]
# A page number past this is past any history (its offset would overflow the database's integers): read as the
# first page here, and Paginator shows the last.
MAX_PAGE = 2**31 // history.PAGE_SIZE


class _CountedWithThePage:
    """The events as Paginator reads them (a sliceable object with `count()`, as its documentation allows), with
    the page asked for and the total read in one query: a window COUNT over the filtered events next to the
    page's rows. The page's rows answer Paginator's slice for that page; any other slice (a page number past the
    end, shown as the last page) is read as usual, and so is the count when the page asked for is empty."""

    def __init__(self, events: "QuerySet[Any, dict[str, Any]]", number: str | None) -> None:
        self._events = events
        try:
            asked = int(number or 1)
        except ValueError:
            asked = 1
        # Paginator.get_page reads anything that is not a page number as the first page.
        self._start = (asked - 1) * history.PAGE_SIZE if 1 <= asked <= MAX_PAGE else 0

    @cached_property
    def _page(self) -> list[Event]:
        counted = self._events.annotate(total=Window(Count("pk")))
        return list(counted[self._start : self._start + history.PAGE_SIZE])

    def count(self) -> int:
        if self._page:
            return int(self._page[0]["total"])
        return 0 if self._start == 0 else self._events.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice) and index.start == self._start and index.step is None:
            stop = self._start + history.PAGE_SIZE if index.stop is None else index.stop
            if stop <= self._start + history.PAGE_SIZE:
                return self._page[: stop - self._start]
        if isinstance(index, slice):
            return list(self._events[index])
        return self._events[index]


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
