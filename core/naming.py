"""Identifier derivation from labels: pinyin for Chinese, snake_case for ASCII, no I/O.

``derive_name('预约记录') == 'yu_yue_ji_lu'``, ``derive_name('Work Order') == 'work_order'``,
``derive_name('VIP 客户') == 'vip_ke_hu'``. The result is not checked against the
identifier rules here: the validator does that and asks for an explicit ``name``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def _words(label: str) -> list[tuple[str, bool]]:
    """Split a label into (word, is_chinese) pairs, camelCase and acronyms split apart."""
    words: list[tuple[str, bool]] = []
    for token in _TOKEN.findall(label):
        if _IS_CJK.match(token):
            words.extend((syllable, True) for syllable in lazy_pinyin(token))
        else:
            words.extend((part, False) for part in _CAMEL.findall(token))
    return words


@lru_cache(maxsize=4096)
def derive_name(label: str) -> str:
    """The identifier a label derives: lower-case words joined by ``_``; other characters dropped."""
    return "_".join(word.lower() for word, _ in _words(label))


@lru_cache(maxsize=4096)
def pinyin_initials(label: str) -> str:
    """Search initials (``pym``): first letter of each Chinese syllable and of each other word."""
    out: list[str] = []
    for token in _TOKEN.findall(label or ""):
        if _IS_CJK.match(token):
            out.extend(lazy_pinyin(token, style=Style.FIRST_LETTER))
        else:
            out.extend(part[0] for part in _CAMEL.findall(token))
    return "".join(out).lower()


def pascal_case(name: str) -> str:
    """``work_order`` -> ``WorkOrder`` (generated class names)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)
