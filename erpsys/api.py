"""Project-wide REST plumbing: a JSON parser and renderer that never turn bad input into a 500.

``SafeJSONParser``: a body nested deeper than ``MAX_JSON_DEPTH`` (a 20,000-deep array would
exhaust Python's recursion) or not UTF-8 is a 400 ``parse_error``. ``SafeJSONRenderer``: a
response echoing a lone surrogate of the request (``"x\\ud800y"``) is rendered with ASCII
escapes instead of failing to encode.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import renderers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Deeper than any record or start body needs; well inside Python's recursion limit.
MAX_JSON_DEPTH = 64


def json_depth_exceeded(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (a linear scan, no recursion)."""
    if text.count("[") + text.count("{") <= limit:  # the usual body: too few brackets to matter
        return False
    depth, in_string, escaped = 0, False, False
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
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class SafeJSONParser(JSONParser):
    """DRF's strict JSON parser, plus: too deep or not UTF-8 -> 400 ``parse_error``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The JSON body is not valid UTF-8 text.")) from exc
        if json_depth_exceeded(text):
            raise ParseError(
                _("The JSON body nests deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
            )
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class SafeJSONRenderer(renderers.JSONRenderer):
    """JSON as DRF renders it; text that UTF-8 cannot encode (a lone surrogate) as ``\\uXXXX``."""

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            self.ensure_ascii = True  # this instance only, for this response
            try:
                return super().render(data, accepted_media_type, renderer_context)
            finally:
                del self.ensure_ascii
