"""The built-in entity targets resolve to installed runtime models, never to the design layer."""

import pytest
from django.apps import apps
from django.conf import settings

from applications.builtins import BUILTIN_TARGETS
from design.specs.model import BUILTIN_ENTITIES


def test_every_builtin_entity_has_a_target():
    assert set(BUILTIN_TARGETS) == set(BUILTIN_ENTITIES)
    assert BUILTIN_TARGETS["user"] == settings.AUTH_USER_MODEL


@pytest.mark.parametrize("name", sorted(BUILTIN_ENTITIES))
def test_every_target_is_an_installed_model(name):
    assert apps.get_model(BUILTIN_TARGETS[name])._meta.label == BUILTIN_TARGETS[name]


@pytest.mark.parametrize("name", sorted(BUILTIN_ENTITIES))
def test_no_target_is_a_design_model(name):
    assert apps.get_model(BUILTIN_TARGETS[name])._meta.app_label != "design"


def test_service_and_resource_are_the_kernels_rows():
    assert BUILTIN_TARGETS["service"] == "kernel.Service"
    assert BUILTIN_TARGETS["resource"] == "kernel.Resource"
