"""The clinic loaded and published, with signed-in clients for its operators."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.test import Client


@pytest.fixture
def clinic(db, clinic_spec_dir, django_capture_on_commit_callbacks) -> SimpleNamespace:
    """Spec loaded and published; a customer 张女士; ``act(call, **kw)`` runs on_commit work too."""
    from design.publish import revision_publish
    from design.services import spec_load

    spec_load(folder=clinic_spec_dir)
    revision_publish(tenant="clinic")
    customer = apps.get_model("clinic", "Customer").objects.create(
        label="张女士", full_name="张女士", phone="13800000000", medical_record_number="MR-1"
    )

    def act(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return SimpleNamespace(customer=customer, act=act)


@pytest.fixture
def operator():
    from kernel.models import Operator

    def get(name: str, tenant: str = "clinic"):
        return Operator.objects.select_related("user", "tenant").get(tenant__name=tenant, name=name)

    return get


@pytest.fixture
def browser_as(operator):
    """``browser_as("xiaolin")`` -> a Django test client signed in as that clinic operator."""

    def make(name: str, language: str = "zh-hans") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(operator(name).user)
        return client

    return make
