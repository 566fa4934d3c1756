"""The repair_shop tenant loaded and published, with API clients for its operators."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from rest_framework.test import APIClient

PASSWORD = "s3cret-pass-word"


@pytest.fixture
def shop(db, repair_shop_spec_dir) -> SimpleNamespace:
    """Spec loaded and published; operators ana/ben/chen/dora with passwords; a customer + device."""
    from design.publish import revision_publish
    from design.services import spec_load
    from kernel.models import Operator

    spec_load(folder=repair_shop_spec_dir)
    revision_publish(tenant="repair_shop")
    operators = {}
    for name in ("ana", "ben", "chen", "dora"):
        operator = Operator.objects.select_related("user").get(
            tenant__name="repair_shop", name=name
        )
        operator.user.set_password(PASSWORD)
        operator.user.save()
        operators[name] = operator
    customer = apps.get_model("repair_shop", "Customer").objects.create(
        full_name="Max Muster", phone="0301234567"
    )
    phone = apps.get_model("repair_shop", "DeviceType").objects.create(label="Phone")
    device = apps.get_model("repair_shop", "Device").objects.create(
        master=customer, device_type=phone, model_name="X1"
    )
    return SimpleNamespace(customer=customer, device=device, **operators)


@pytest.fixture
def client_as():
    """``client_as(operator)`` -> an APIClient signed in (session) as that operator."""

    def make(operator) -> APIClient:
        client = APIClient()
        client.force_login(operator.user)
        return client

    return make


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """``act(client.post, url, data)``: run a request and its on_commit work (Celery is eager)."""

    def run(call, *args, **kwargs):
        kwargs.setdefault("format", "json")
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run
