"""Fixtures of the editor tests: a private META_SPECS_DIR with the clinic and repair_shop."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth.models import Group, User

from tests.conftest import CLINIC_SPEC, REPAIR_SHOP_SPEC


@pytest.fixture
def specs(settings, tmp_path):
    root = tmp_path / "meta_specs"
    shutil.copytree(CLINIC_SPEC, root / "clinic")
    shutil.copytree(REPAIR_SHOP_SPEC, root / "repair_shop")
    settings.META_SPECS_DIR = root
    settings.DESIGN_DRAFTS_DIR = tmp_path / "drafts"
    return root


@pytest.fixture
def analyst(db):
    user = User.objects.create_user("analyst", password="analyst-password")
    user.groups.add(Group.objects.get_or_create(name="designers")[0])
    return user


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


def hx(client, method, url, data=None):
    """A request as htmx sends it."""
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true")
