"""The built-in entity targets resolve to installed models (design ones once they exist)."""

import pytest
from django.apps import apps
from django.conf import settings

from applications.builtins import BUILTIN_TARGETS
from design.specs.model import BUILTIN_ENTITIES


def test_every_builtin_entity_has_a_target():
    assert set(BUILTIN_TARGETS) == set(BUILTIN_ENTITIES)
    assert BUILTIN_TARGETS["user"] == settings.AUTH_USER_MODEL


@pytest.mark.parametrize("name", ["operator", "role", "process", "user"])
def test_kernel_and_auth_targets_are_installed_models(name):
    assert apps.get_model(BUILTIN_TARGETS[name])._meta.label == BUILTIN_TARGETS[name]


@pytest.mark.parametrize("name", ["service", "resource"])
def test_design_targets_resolve_once_the_design_models_exist(name):
    try:
        model = apps.get_model(BUILTIN_TARGETS[name])
    except LookupError:
        pytest.skip(f"{BUILTIN_TARGETS[name]} is not defined yet (the design helper adds it)")
    assert model._meta.label == BUILTIN_TARGETS[name]
