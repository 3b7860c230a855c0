"""JSON request bodies: what the standard parser accepts but nothing after it can handle.

- A body that is not JSON where JSON is expected is 415, not a confusing 400; one that is
  not UTF-8 (RFC 8259 allows nothing else) is 400.
- Nesting deeper than `MAX_DEPTH` is 400. The parser itself stops at Python's recursion limit
  with a RecursionError (which Quart does not turn into a 400), and a body just under that
  limit would make the recursive validation of attributo values hit it instead.
- A string holding a NUL character (`"\\u0000"`) or half of a UTF-16 surrogate pair
  (`"\\ud800"`), both valid JSON escapes, is 422 at its field: PostgreSQL cannot store the
  first, no engine the second, and neither belongs in a logbook.

The checks walk the parsed body only when its text hints at a problem (many brackets, one of
those escapes), so an ordinary request costs a few C-level scans of its text."""

from __future__ import annotations

import re
from typing import Any

from quart import Request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from amarcord.domain.errors import FieldError, Loc, ValidationFailed

MAX_DEPTH = 32  # a run's body is 4 levels deep; nothing the API takes comes near 32
# JSON escapes of NUL and of surrogates; raw control characters are already malformed JSON.
_SUSPICIOUS_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class JsonRequest(Request):
    async def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or silent or self.is_json):
            raise UnsupportedMediaType("expected a JSON body (Content-Type: application/json)")
        checked = cache and self._cached_json[silent] is not Ellipsis
        try:
            body = await super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise BadRequest(f"malformed JSON body: nested deeper than {MAX_DEPTH}") from None
        except UnicodeDecodeError as error:
            # Quart decodes the body before its own try; JSON is UTF-8 whatever the charset.
            msg = f"malformed JSON body: not UTF-8 (byte {error.start})"
            raise BadRequest(msg) from None
        if not checked and body is not None:
            text = str(await self.get_data(as_text=True))
            if text.count("[") + text.count("{") > MAX_DEPTH or _SUSPICIOUS_ESCAPE.search(text):
                check_body(body)
        return body

    def on_json_loading_failed(self, error: Exception) -> Any:
        raise BadRequest(f"malformed JSON body: {error}")


def check_body(body: Any) -> None:
    """Walks the body without recursion (it may be nested beyond the recursion limit)."""
    errors: list[FieldError] = []
    pending: list[tuple[Any, int, Loc]] = [(body, 1, ())]
    while pending:
        value, depth, loc = pending.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                errors.append(FieldError(loc, problem))
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise BadRequest(f"malformed JSON body: nested deeper than {MAX_DEPTH}")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and (problem := text_problem(key)) is not None:
                    errors.append(FieldError((*loc, key), f"in the name: {problem}"))
                pending.append((item, depth + 1, (*loc, key)))
    if errors:
        errors.reverse()  # in the order of the body
        raise ValidationFailed(f"{len(errors)} invalid string(s)", errors)


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    if "\x00" in text:
        return "NUL characters (\\u0000) are not allowed"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return f"\\u{code:04x} is half of a surrogate pair, not a character"
    return None
