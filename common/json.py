"""JSON request bodies with a bound on nesting, so a hostile body is a 400 and never a RecursionError (a 500)."""

import json
from typing import Any

MAX_DEPTH = 32


class TooDeep(ValueError):
    """Arrays and objects nested deeper than allowed."""


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings do not count). Linear, no
    recursion: safe on any input."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def deeper_than(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `limit`: at once when the text holds no more brackets than
    that (a batch of ids holds two), else by nesting_depth."""
    if text.count("[") + text.count("{") <= limit:
        return False
    return nesting_depth(text) > limit


def loads(body: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, refusing nesting deeper than `max_depth` first (TooDeep). Other malformed input raises
    ValueError (json.JSONDecodeError, UnicodeDecodeError) as json.loads does."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if deeper_than(text, max_depth):
        raise TooDeep(f"nested deeper than {max_depth}")
    return json.loads(text)
