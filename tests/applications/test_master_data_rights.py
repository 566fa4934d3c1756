"""docs/clinic.md step 1: a receptionist creates a customer, in the admin and over the API.

The right comes from the role's ``entities: {customer: [view, add, change]}`` in the clinic
spec (published into the role's Django group); a doctor's role has no such key.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from applications.tenancy import tenant_app_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(clinic_spec_dir):
    if tenant_app_config("clinic") is None:
        pytest.fail("the clinic app is not generated")
    from design.publish import revision_publish
    from design.services import spec_load
    from kernel.models import Operator

    spec_load(folder=clinic_spec_dir)
    revision_publish(tenant="clinic")

    def client(name: str) -> APIClient:
        api = APIClient()
        api.force_login(Operator.objects.get(tenant__name="clinic", name=name).user)
        return api

    return client


def test_a_receptionist_creates_and_changes_a_customer_over_the_api(clinic):
    xiaolin = clinic("xiaolin")
    created = xiaolin.post(
        "/clinic/api/customer/", {"full_name": "张女士", "phone": "13900000000"}, format="json"
    )
    assert created.status_code == 201, created.content
    url = f"/clinic/api/customer/{created.json()['id']}/"
    changed = xiaolin.patch(url, {"phone": "13900000001"}, format="json")
    assert changed.status_code == 200 and changed.json()["phone"] == "13900000001"
    assert xiaolin.get("/clinic/api/customer/").json()["count"] == 1
    assert xiaolin.delete(url).status_code == 403  # view, add, change: no delete


def test_a_receptionist_reaches_the_customer_pages_of_the_admin(clinic):
    xiaolin = clinic("xiaolin")
    assert xiaolin.get("/clinic/admin/clinic/customer/").status_code == 200
    assert xiaolin.get("/clinic/admin/clinic/customer/add/").status_code == 200


def test_a_doctor_may_not_create_customers(clinic):
    doctor = clinic("dr_wang")
    refused = doctor.post("/clinic/api/customer/", {"full_name": "x"}, format="json")
    assert refused.status_code == 403
    assert doctor.get("/clinic/admin/clinic/customer/add/").status_code == 403
