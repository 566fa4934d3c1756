"""Translations: our strings in Simplified Chinese and English, per request, and a complete catalog."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from applications.sites import tenant_site
from design.models import Tenant
from kernel.models import Operator, Process, ProcessState

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
PASSWORD = "s3cret-pass-word"
TENANT = "repair_shop"  # a generated tenant app, so /repair_shop/ is routed


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["进程", "租户", "工作台", "运行中", "您不是该租户的操作员。"]),
        (
            "en",
            [
                "process",
                "tenant",
                "Workbench",
                "running",
                "You are not an operator of this tenant.",
            ],
        ),
    ],
)
def test_our_strings_follow_the_active_language(language, expected):
    from applications.permissions import TenantOperatorPermission

    with translation.override(language):
        got = [
            str(Process._meta.verbose_name),
            str(Tenant._meta.verbose_name),
            str(tenant_site(TENANT).index_title),
            str(ProcessState.RUNNING.label),
            str(TenantOperatorPermission.message),
        ]
    assert got == expected


def _operator(username: str) -> Operator:
    tenant, _ = Tenant.objects.get_or_create(name=TENANT, defaults={"label": TENANT})
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    return Operator.objects.create(tenant=tenant, user=user, name=username, label=username)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ["Log in", "Username", "Password"], ["登录", "用户名"]),
        ("zh-hans", ["登录", "用户名", "密码"], ["Log in", "Username"]),
    ],
)
def test_tenant_login_page_follows_accept_language(client, language, expected, absent):
    response = client.get(f"/{TENANT}/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html
    for text in absent:
        assert text not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("en", "This account is not an operator of this tenant."),
        ("zh-hans", "该账号不是该租户的操作员。"),
    ],
)
def test_tenant_login_error_is_translated(client, language, error):
    get_user_model().objects.create_user(username="outsider", password=PASSWORD)
    response = client.post(
        f"/{TENANT}/login/",
        {"username": "outsider", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert error in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("en", "Workbench"), ("zh-hans", "工作台")])
def test_workbench_index_title_is_translated(client, language, title):
    client.force_login(_operator("ann").user)
    response = client.get(f"/{TENANT}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert title in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [("en", "You are not an operator of this tenant."), ("zh-hans", "您不是该租户的操作员。")],
)
def test_api_permission_message_is_translated(client, language, detail):
    client.force_login(get_user_model().objects.create_user(username="x", password=PASSWORD))
    response = client.get(f"/{TENANT}/api/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert response.json()["detail"] == detail


# -- the catalogs -------------------------------------------------------------------------------

_ENTRY = re.compile(
    r"(?P<comments>(?:^#.*\n)*)"
    r'^msgid (?P<msgid>"(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)\n'
    r'^msgstr (?P<msgstr>"(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)',
    re.M,
)


def _fuzzy(comments: str) -> bool:
    flags = [line[2:].split(",") for line in comments.splitlines() if line.startswith("#,")]
    return any(flag.strip() == "fuzzy" for line in flags for flag in line)


def _join(quoted: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', quoted))


def _entries(path: Path) -> list[tuple[bool, str, str]]:
    """(fuzzy, msgid, msgstr) of every entry, the header (empty msgid) included."""
    text = path.read_text(encoding="utf-8")
    assert "msgid_plural" not in text, "extend the parser for plural entries"
    assert "msgctxt" not in text, "extend the parser for context entries"
    entries = [
        (_fuzzy(m["comments"]), _join(m["msgid"]), _join(m["msgstr"]))
        for m in _ENTRY.finditer(text)
    ]
    assert len(entries) == text.count("\nmsgid ") + text.startswith("msgid ")
    return entries


def test_chinese_catalog_is_complete_and_compiled():
    entries = _entries(ZH_PO)
    assert len(entries) > 100
    assert [msgid for fuzzy, msgid, _ in entries if fuzzy] == [], "fuzzy entries (header too)"
    untranslated = [msgid for _, msgid, msgstr in entries if msgid and not msgstr]
    assert untranslated == []
    _assert_compiled(ZH_PO, entries)


def test_english_catalog_is_the_source_and_compiled():
    entries = _entries(EN_PO)
    assert [msgid for fuzzy, msgid, _ in entries if fuzzy] == []
    assert [msgid for _, msgid, msgstr in entries if msgid and msgstr] == []
    assert {msgid for _, msgid, _ in entries} == {msgid for _, msgid, _ in _entries(ZH_PO)}
    _assert_compiled(EN_PO, entries)


def _assert_compiled(po: Path, entries: list[tuple[bool, str, str]]) -> None:
    """The committed .mo holds exactly the .po's translations (CI has no gettext to compile)."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages` and commit it"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    unescape = {"\\n": "\n", '\\"': '"', "\\\\": "\\"}

    def plain(text: str) -> str:
        return re.sub(r'\\[n"\\]', lambda m: unescape[m.group(0)], text)

    stale = [
        msgid
        for _, msgid, msgstr in entries
        if msgid and compiled.gettext(plain(msgid)) != plain(msgstr or msgid)
    ]
    assert stale == [], f"{mo} is stale: run `make messages`"
