"""R-MIC-1, R-MIC-2: write the MIC audience file: hashed identifiers of every account whose profiles all allow
MIC. Raw emails and phone numbers never reach the file.

It streams, from consent.selectors.mic_audience, so memory stays flat however many accounts there are.
- PostgreSQL: one `COPY ... TO STDOUT` over the audience, whose lines go straight into the file with no Python
  step per row: the database hashes every account whose stored email and phone are already in normalised form
  (consent.identifiers.sql_digests_exact says which, and why the digest is then exactly the Python one). Any
  other account (an email with capitals, spaces or non-ASCII letters, a phone not stored in E.164) comes out
  of the COPY as its id only (8 bytes kept per such account); those are read again by id afterwards and
  hashed in Python. Each account is thus hashed once, by one of the two. Everything runs in one read-only
  REPEATABLE READ transaction, so the COPY, the reads by id and the row count for the progress bar see one
  snapshot; on the replica when DATABASE_REPLICA_URL names one (common/replica.py), which a standby allows.
- SQLite: one query read in chunks, each row hashed in Python and written before the next chunk is fetched;
  one SELECT reads one snapshot.
"""

import csv
import io
import os
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat

from common import replica
from consent import selectors
from consent.identifiers import InvalidIdentifier, Sha256Hex, hash_email, hash_phone, sql_digests_exact

CHUNK_SIZE = 2000
HEADER = ("email_sha256", "phone_sha256")
# COPY hands over one row at a time; the file gets them about 64 KiB at a time.
COPY_FLUSH_BYTES = 1 << 16
# Starts the COPY line of a row the database does not hash (never a hex digit): the account's id follows.
PYTHON_MARK = b"-"


def _database() -> BaseDatabaseWrapper:
    """Where the export reads: the replica when one is configured (common/replica.py), else the primary."""
    return connections[replica.read_alias()]


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def hashed(rows: Iterable[tuple[str, object]]) -> Iterator[tuple[str, str]]:
    """(email digest, phone digest or "") of (email, phone or None) rows, hashed in Python."""
    for email, phone in rows:
        try:
            phone_digest = hash_phone(str(phone)) if phone else ""
        except InvalidIdentifier:
            phone_digest = ""  # a stored number libphonenumber no longer accepts is left out, never sent raw
        yield hash_email(email), phone_digest


def audience_rows(*, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[str, str]]:
    """(email digest, phone digest or "") per account in the audience, hashed in Python, streamed."""
    return hashed(selectors.mic_audience().iterator(chunk_size=chunk_size))


def copy_digest_lines(sink: _Sink, *, progress: "_Progress | None" = None) -> tuple[int, "array[int]"]:
    """PostgreSQL: one COPY over the audience (selectors.mic_audience, so the R-MIC-2 rule is not written twice)
    that gives, per account, either its CSV line of digests, when the database hashes its stored identifiers
    exactly (identifiers.sql_digests_exact), or PYTHON_MARK and its id. The lines go to `sink`; return how many,
    and the ids, which are left for Python to hash (8 bytes each)."""
    text = TextField()
    line = Case(
        When(
            sql_digests_exact(email="email", phone="phone__number"),
            then=Concat(
                Sha256Hex("email"),
                Value(",", text),
                Coalesce(Sha256Hex("phone__number"), Value("", text)),
                output_field=text,
            ),
        ),
        default=Concat(Value(PYTHON_MARK.decode(), text), Cast("pk", text), output_field=text),
        output_field=text,
    )
    sql, params = selectors.mic_audience().values_list(line).query.sql_with_params()
    written, left, pending = 0, array("q"), bytearray()

    def flush(body: bytes) -> None:
        nonlocal written
        if body.startswith(PYTHON_MARK) or b"\n" + PYTHON_MARK in body:
            lines = body.splitlines(keepends=True)
            left.extend(int(line[len(PYTHON_MARK) :]) for line in lines if line.startswith(PYTHON_MARK))
            body = b"".join(line for line in lines if not line.startswith(PYTHON_MARK))
        count = body.count(b"\n")
        sink.write(body)
        written += count
        if progress:
            progress.advance(count)

    with _database().cursor() as cursor:
        # COPY takes no bind parameters: psycopg binds them client-side, as it binds Django's queries. The text
        # format writes the one column as it is: hex digits, commas, "-" and digits need no escaping, and the
        # column is never NULL.
        statement = cursor.mogrify(f"COPY ({sql}) TO STDOUT", params)
        with cursor.copy(statement) as copy:
            for data in copy:
                pending += data
                if len(pending) >= COPY_FLUSH_BYTES:
                    end = pending.rfind(b"\n") + 1  # whole lines only
                    flush(bytes(pending[:end]))
                    del pending[:end]
    flush(bytes(pending))
    return written, left


def audience_rows_by_id(ids: Sequence[int], *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[str, str]]:
    """Python's digests of the audience accounts with these ids, `chunk_size` ids a query."""
    for start in range(0, len(ids), chunk_size):
        yield from hashed(selectors.mic_audience().filter(pk__in=list(ids[start : start + chunk_size])))


@contextmanager
def _snapshot() -> Iterator[None]:
    """PostgreSQL: one read-only REPEATABLE READ transaction without the web statement timeout. SQLite: no
    transaction (an IMMEDIATE one would hold the write lock); its single SELECT already reads one snapshot."""
    database = _database()
    if database.vendor != "postgresql":
        yield
        return
    outermost = not database.in_atomic_block  # a caller's transaction (a test's) already fixed its level
    with transaction.atomic(using=database.alias):
        with database.cursor() as cursor:
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
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, help="Rows fetched per round trip where Python hashes."
        )
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")

    def handle(self, *args: object, out: str, chunk_size: int, no_progress: bool, **options: object) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        show_progress = not no_progress and sys.stderr.isatty()
        with replica.reads(), _snapshot():
            progress = _Progress(sys.stderr, selectors.mic_audience().count()) if show_progress else None
            if out == "-":
                written = self._write(_TextSink(self.stdout), chunk_size=chunk_size, progress=progress)
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
            with os.fdopen(fd, "wb") as handle:
                written = self._write(handle, chunk_size=chunk_size, progress=progress)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return written

    def _write(self, sink: _Sink, *, chunk_size: int, progress: _Progress | None) -> int:
        _write_csv(sink, [HEADER])
        if _database().vendor != "postgresql":
            return _write_csv(sink, audience_rows(chunk_size=chunk_size), progress=progress, every=chunk_size)
        written, left = copy_digest_lines(sink, progress=progress)
        others = audience_rows_by_id(left, chunk_size=chunk_size)
        return written + _write_csv(sink, others, progress=progress, every=chunk_size)


class _TextSink:
    """Standard output (or a test's StringIO) through the command's OutputWrapper."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream

    def write(self, data: bytes, /) -> None:
        self.stream.write(data.decode("utf-8"), ending="")


def _write_csv(
    sink: _Sink, rows: Iterable[tuple[str, str]], *, progress: _Progress | None = None, every: int = CHUNK_SIZE
) -> int:
    """Rows as CSV lines, handed to `sink` `every` rows at a time; return how many."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
        if progress:
            progress.step()
        if written % every == 0:
            sink.write(text.getvalue().encode("utf-8"))
            text.seek(0)
            text.truncate()
    sink.write(text.getvalue().encode("utf-8"))
    return written
