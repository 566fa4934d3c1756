"""Translations: our strings in Simplified Chinese and English, per request, and a complete catalog."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from applications.sites import tenant_site
from core.models import Tenant
from kernel.models import Operator, Process, ProcessState

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
PASSWORD = "s3cret-pass-word"
TENANT = "repair_shop"  # a generated tenant app, so /repair_shop/ is routed


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["进程", "租户", "主数据", "运行中", "您不是该租户的操作员。"]),
        (
            "en",
            [
                "process",
                "tenant",
                "Master data",
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
@pytest.mark.parametrize(
    ("language", "titles"),
    [("en", ("Task board", "Master data")), ("zh-hans", ("任务看板", "主数据"))],
)
def test_board_and_admin_titles_are_translated(client, language, titles):
    client.force_login(_operator("ann").user)
    board = client.get(f"/{TENANT}/", HTTP_ACCEPT_LANGUAGE=language)
    admin = client.get(f"/{TENANT}/admin/", HTTP_ACCEPT_LANGUAGE=language)
    assert board.status_code == 200 and admin.status_code == 200
    assert titles[0] in board.content.decode()
    assert titles[1] in admin.content.decode()


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


def _entries(path: Path) -> list[polib.POEntry]:
    """Every entry of the catalog; the header is checked through ``metadata_is_fuzzy``."""
    po = polib.pofile(str(path), encoding="utf-8")
    assert not po.metadata_is_fuzzy, f"{path}: the header is fuzzy"
    return [entry for entry in po if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    """The entry's msgstr, or every plural form of it."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[form] for form in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def test_chinese_catalog_is_complete_and_compiled():
    entries = _entries(ZH_PO)
    assert len(entries) > 100
    assert [entry.msgid for entry in entries if entry.fuzzy] == []
    untranslated = [entry.msgid for entry in entries if not all(_translations(entry))]
    assert untranslated == []
    _assert_compiled(ZH_PO, entries)


def test_english_catalog_is_the_source_and_compiled():
    entries = _entries(EN_PO)
    assert [entry.msgid for entry in entries if entry.fuzzy] == []
    assert [entry.msgid for entry in entries if any(_translations(entry))] == []
    assert {entry.msgid for entry in entries} == {entry.msgid for entry in _entries(ZH_PO)}
    _assert_compiled(EN_PO, entries)


def _assert_compiled(po: Path, entries: list[polib.POEntry]) -> None:
    """The committed .mo holds exactly the .po's translations (CI has no gettext to compile)."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages` and commit it"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def stale(entry: polib.POEntry) -> bool:
        if entry.msgid_plural:
            forms = _translations(entry)
            return any(
                compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                != (
                    forms[min(form, len(forms) - 1)]
                    or (entry.msgid if n == 1 else entry.msgid_plural)
                )
                for n, form in ((1, compiled.plural(1)), (2, compiled.plural(2)))
            )
        return compiled.gettext(entry.msgid) != (entry.msgstr or entry.msgid)

    assert [entry.msgid for entry in entries if stale(entry)] == [], (
        f"{mo} is stale: run `make messages`"
    )
