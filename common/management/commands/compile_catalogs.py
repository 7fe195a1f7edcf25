"""Compile the translation catalogs (locale/*/LC_MESSAGES/*.po) into the .mo files Django reads.

Django's own compilemessages needs GNU gettext's msgfmt on the machine; polib does the same in Python, so a new
machine with only Python runs the site in Spanish too. With --check it first refuses a catalog that is not
complete: an untranslated or fuzzy entry (a Spanish page would show English or a guess), or a translation whose
placeholders differ from its source's (rendering it would fail or drop a value).
"""

import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# %(name)s and %s in python-format strings (Python code, blocktranslate); {name} in python-brace-format ones.
PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
BRACE = re.compile(r"\{(\w*)[^{}]*\}")


def catalogs() -> list[Path]:
    return sorted(po for base in settings.LOCALE_PATHS for po in Path(base).glob("*/LC_MESSAGES/*.po"))


def _placeholders(entry: polib.POEntry, text: str) -> list[str]:
    if "python-brace-format" in entry.flags:
        return sorted(BRACE.findall(text))
    if "python-format" in entry.flags:
        return sorted(m.group(0) for m in PERCENT.finditer(text) if m.group(0) != "%%")
    return []


def problems(po_path: Path) -> list[str]:
    """What keeps this catalog from being complete, one line per entry."""
    catalog = polib.pofile(str(po_path))
    found = [f"untranslated: {entry.msgid!r}" for entry in catalog.untranslated_entries()]
    found += [f"fuzzy: {entry.msgid!r}" for entry in catalog.fuzzy_entries()]
    for entry in catalog.translated_entries():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        wanted = _placeholders(entry, sources[-1])
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            # A plural form may leave out the count ("un perfil"), never a named value.
            got = _placeholders(entry, text)
            if got != wanted and not (entry.msgid_plural and set(got) <= set(wanted)):
                found.append(f"placeholders {got} instead of {wanted}: {entry.msgid!r}")
    return found


class Command(BaseCommand):
    help = "Compile the .po catalogs into .mo files; with --check, fail on any incomplete entry first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Fail if an entry is untranslated, fuzzy, or has other placeholders than its source.",
        )

    def handle(self, *args: object, check: bool = False, **options: object) -> None:
        found = catalogs()
        if not found:
            raise CommandError(f"No catalogs under {', '.join(map(str, settings.LOCALE_PATHS))}.")
        if check:
            report = [f"{po}: {line}" for po in found for line in problems(po)]
            if report:
                raise CommandError("Incomplete translations:\n" + "\n".join(report))
        for po in found:
            polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))
            if options.get("verbosity", 1):
                self.stdout.write(f"Compiled {po.relative_to(settings.BASE_DIR)}")
