"""The IAB Global Privacy Platform (GPP) string of an eligibility answer (R-API-2): the GPP header and the US
National section (section id 7, `usnat`, version 2, the current one), with its GPC sub-section.

Written from IAB Tech Lab's GPP specification (Consent String Specification, US National Privacy Technical
Specification) because no maintained encoder is published on PyPI; IAB's own JavaScript library
(`@iabgpp/cmpapi`) decodes what this writes in CI (tests/consent/test_gpp_iab_decode.py). Pure: no settings, no
ORM. What each field says about a profile is decided in consent.policy.gpp_fields; docs/downstream.md explains
the mapping.

Encoding, as the specification has it: each segment is a string of bits (fixed-width unsigned integers, the
header's section ids as a Fibonacci-coded integer range), padded with zeros to a whole number of bytes and then
of 6-bit characters, written in the URL-safe Base64 alphabet without padding characters. Segments of a section
are joined with ".", the header and the sections with "~".
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

HEADER_TYPE = 3
HEADER_VERSION = 1
USNAT_ID = 7
USNAT_VERSION = 2
GPC_SEGMENT_TYPE = 1

# The values of a 2-bit field (usnat: "0 Not Applicable, 1 Yes, 2 No" for notices and MSPA fields; "0 Not
# Applicable, 1 Opted Out, 2 Did Not Opt Out" for opt-outs).
NOT_APPLICABLE = 0
YES = 1
NO = 2
OPTED_OUT = 1
DID_NOT_OPT_OUT = 2

# The usnat v2 core segment, in order: (field, bits per value, number of values; 1 is a plain integer).
USNAT_CORE: tuple[tuple[str, int, int], ...] = (
    ("Version", 6, 1),
    ("SharingNotice", 2, 1),
    ("SaleOptOutNotice", 2, 1),
    ("SharingOptOutNotice", 2, 1),
    ("TargetedAdvertisingOptOutNotice", 2, 1),
    ("SensitiveDataProcessingOptOutNotice", 2, 1),
    ("SensitiveDataLimitUseNotice", 2, 1),
    ("SaleOptOut", 2, 1),
    ("SharingOptOut", 2, 1),
    ("TargetedAdvertisingOptOut", 2, 1),
    ("SensitiveDataProcessing", 2, 16),
    ("KnownChildSensitiveDataConsents", 2, 3),
    ("PersonalDataConsents", 2, 1),
    ("MspaCoveredTransaction", 2, 1),
    ("MspaOptOutOptionMode", 2, 1),
    ("MspaServiceProviderMode", 2, 1),
)
USNAT_FIELDS = tuple(name for name, _bits, _count in USNAT_CORE)
_LISTS = {name: count for name, _bits, count in USNAT_CORE if count > 1}

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_INDEX = {char: index for index, char in enumerate(_ALPHABET)}

FieldValue = int | tuple[int, ...]


class GppDecodeError(ValueError):
    """Not a GPP string this module writes (another header, section or version, or bad characters)."""


@dataclass(frozen=True)
class UsNat:
    """The values of a US National section: every core field by its specification name, and the GPC
    sub-section's flag. `fields` must name every field of USNAT_CORE but Version (lists as tuples)."""

    fields: Mapping[str, FieldValue]
    gpc: bool


def _integer(value: int, bits: int) -> str:
    if not 0 <= value < 1 << bits:
        raise ValueError(f"{value} does not fit in {bits} bits")
    return format(value, f"0{bits}b")


def _fibonacci(value: int) -> str:
    """Fibonacci coding of a positive integer (Zeckendorf representation, lowest term first, then a final 1)."""
    if value < 1:
        raise ValueError("Fibonacci coding needs a positive integer")
    terms = [1, 2]
    while terms[-1] + terms[-2] <= value:
        terms.append(terms[-1] + terms[-2])
    bits = ["0"] * len(terms)
    for position in range(len(terms) - 1, -1, -1):
        if terms[position] <= value:
            bits[position] = "1"
            value -= terms[position]
    return "".join(bits).rstrip("0") + "1"


def _fibonacci_range(ids: Sequence[int]) -> str:
    """The header's section ids: a 12-bit count of groups, then each single id (0 and its offset from the
    previous id) or run (1, its start's and its end's offsets)."""
    groups: list[list[int]] = []
    for each in sorted(ids):
        if groups and each == groups[-1][-1] + 1:
            groups[-1].append(each)
        else:
            groups.append([each])
    bits, offset = [_integer(len(groups), 12)], 0
    for group in groups:
        if len(group) == 1:
            bits.append("0" + _fibonacci(group[0] - offset))
        else:
            bits.append("1" + _fibonacci(group[0] - offset) + _fibonacci(group[-1] - group[0]))
        offset = group[-1]
    return "".join(bits)


def _base64(bits: str) -> str:
    bits += "0" * (-len(bits) % 8)
    bits += "0" * (-len(bits) % 6)
    return "".join(_ALPHABET[int(bits[start : start + 6], 2)] for start in range(0, len(bits), 6))


def _bits(text: str) -> str:
    try:
        return "".join(format(_INDEX[char], "06b") for char in text)
    except KeyError:
        raise GppDecodeError("not URL-safe Base64") from None


def header() -> str:
    """The GPP header naming one section, US National."""
    return _base64(_integer(HEADER_TYPE, 6) + _integer(HEADER_VERSION, 6) + _fibonacci_range([USNAT_ID]))


def _usnat_core(fields: Mapping[str, FieldValue]) -> str:
    bits: list[str] = []
    for name, width, count in USNAT_CORE:
        value = USNAT_VERSION if name == "Version" else fields[name]
        values = value if isinstance(value, tuple) else (value,)
        if len(values) != count:
            raise ValueError(f"{name} takes {count} values")
        bits.extend(_integer(each, width) for each in values)
    return _base64("".join(bits))


def _gpc_segment(gpc: bool) -> str:
    return _base64(_integer(GPC_SEGMENT_TYPE, 2) + ("1" if gpc else "0"))


@functools.lru_cache(maxsize=1024)
def _encode(items: tuple[tuple[str, FieldValue], ...], gpc: bool) -> str:
    return f"{header()}~{_usnat_core(dict(items))}.{_gpc_segment(gpc)}"


def encode(section: UsNat) -> str:
    """The full GPP string: header, then the US National core segment and its GPC sub-section. Few profiles
    differ, so strings are remembered by value."""
    return _encode(tuple((name, section.fields[name]) for name in USNAT_FIELDS if name != "Version"), section.gpc)


def decode(text: str) -> UsNat:
    """Read back a string of the shape `encode` writes (for tests and for whoever debugs a partner's report)."""
    head, _, section = text.partition("~")
    if head != header():
        raise GppDecodeError("not a GPP header naming US National only")
    core, _, gpc = section.partition(".")
    bits = _bits(core)
    if len(bits) < sum(width * count for _name, width, count in USNAT_CORE):
        raise GppDecodeError("the US National core segment is too short")
    fields: dict[str, FieldValue] = {}
    position = 0
    for name, width, count in USNAT_CORE:
        values = tuple(int(bits[position + i * width : position + (i + 1) * width], 2) for i in range(count))
        position += width * count
        fields[name] = values if name in _LISTS else values[0]
    if fields.pop("Version") != USNAT_VERSION:
        raise GppDecodeError(f"not US National version {USNAT_VERSION}")
    gpc_bits = _bits(gpc)
    if len(gpc_bits) < 3 or int(gpc_bits[:2], 2) != GPC_SEGMENT_TYPE:
        raise GppDecodeError("no GPC sub-section")
    return UsNat(fields=fields, gpc=gpc_bits[2] == "1")
