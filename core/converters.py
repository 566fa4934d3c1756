"""``<id:…>`` in URL patterns: a row id of 1 to 18 digits.

Django's ``<int:…>`` takes any number of digits, and a 21-digit id reaches the database, which
cannot compare it with a 64-bit column (SQLite raises OverflowError: a 500). Every id a 64-bit
column holds here has at most 18 digits; a longer one matches no URL: a 404.
"""

from __future__ import annotations

from django.urls import register_converter

ROW_ID = "[0-9]{1,18}"


class RowIdConverter:
    regex = ROW_ID

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowIdConverter, "id")
