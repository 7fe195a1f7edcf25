"""R-MIC-1, R-MIC-2: write the MIC audience file: hashed identifiers of every account whose profiles all allow
MIC. Raw emails and phone numbers never reach the file.

It streams: one query (consent.selectors.mic_audience) read in chunks, a server-side cursor on PostgreSQL and
chunked reads on SQLite, each row hashed and written before the next chunk is fetched, so memory stays flat
however many accounts there are. One statement also means one consistent snapshot; on PostgreSQL the export
runs in a read-only REPEATABLE READ transaction so the row count for the progress bar sees the same snapshot.
"""

import csv
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from consent import selectors
from consent.identifiers import InvalidIdentifier, hash_email, hash_phone

CHUNK_SIZE = 2000
HEADER = ("email_sha256", "phone_sha256")


class _Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def audience_rows(*, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[str, str]]:
    """(email digest, phone digest or "") per account in the audience, streamed."""
    for email, phone in selectors.mic_audience().iterator(chunk_size=chunk_size):
        try:
            phone_digest = hash_phone(str(phone)) if phone else ""
        except InvalidIdentifier:
            phone_digest = ""  # a stored number libphonenumber no longer accepts is left out, never sent raw
        yield hash_email(email), phone_digest


@contextmanager
def _snapshot() -> Iterator[None]:
    """PostgreSQL: one read-only REPEATABLE READ transaction without the web statement timeout. SQLite: no
    transaction (an IMMEDIATE one would hold the write lock); its single SELECT already reads one snapshot."""
    if connection.vendor != "postgresql":
        yield
        return
    outermost = not connection.in_atomic_block  # a caller's transaction (a test's) already fixed its level
    with transaction.atomic():
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SET LOCAL statement_timeout = 0")
        yield


class _Progress:
    """A one-line bar on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO, total: int, unit: str = "accounts") -> None:
        self.stream, self.total, self.done, self.unit = stream, total, 0, unit

    def step(self, every: int = 500) -> None:
        self.done += 1
        if self.done % every == 0 or self.done == self.total:
            self._draw()

    def advance(self, count: int) -> None:
        self.done += count
        self._draw()

    def _draw(self) -> None:
        width = 30
        filled = width * self.done // self.total if self.total else width
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,} {self.unit}")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Write the MIC audience CSV (email_sha256, phone_sha256) of every account whose profiles all allow "
        "Matched Identifier Communications. --out - writes to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="Output file, or - for standard output.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Rows fetched per round trip.")
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")

    def handle(self, *args: object, out: str, chunk_size: int, no_progress: bool, **options: object) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        show_progress = not no_progress and sys.stderr.isatty()
        with _snapshot():
            progress = _Progress(sys.stderr, selectors.mic_audience().count()) if show_progress else None
            if out == "-":
                written = self._write(self.stdout, chunk_size=chunk_size, progress=progress)
            else:
                written = self._write_file(Path(out), chunk_size=chunk_size, progress=progress)
        if progress:
            progress.finish()
        if out != "-":
            self.stderr.write(f"Wrote {written} account(s) to {out}.")

    def _write_file(self, path: Path, *, chunk_size: int, progress: _Progress | None) -> int:
        """Write beside the target and rename at the end: a failed export never leaves half a file. Hashed
        identifiers are still personal data, so the file is readable by its owner only."""
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CommandError(f"No such directory: {directory}")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
                written = self._write(handle, chunk_size=chunk_size, progress=progress)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return written

    def _write(self, handle: _Writable, *, chunk_size: int, progress: _Progress | None) -> int:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        written = 0
        for row in audience_rows(chunk_size=chunk_size):
            writer.writerow(row)
            written += 1
            if progress:
                progress.step()
        return written
