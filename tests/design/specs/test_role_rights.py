"""Role keys ``supervises`` and ``entities``: validated with located errors, loaded, exported
byte-stable, published (kernel roles, Django permissions)."""

from __future__ import annotations

import pytest

from design.specs.errors import SpecInvalid
from design.specs.validate import validate_folder
from tests.design.specs.helpers import broken_copy

MANAGER = "{label: Manager, name: manager, services: ["
FRONT_DESK = "{label: Front desk, name: front_desk, services: ["


def with_rights(tmp_path, manager: str, front_desk: str = ""):
    edits = [
        ("services.yaml", MANAGER, "{label: Manager, name: manager, " + manager + "services: [")
    ]
    if front_desk:
        edits.append(
            (
                "services.yaml",
                FRONT_DESK,
                "{label: Front desk, name: front_desk, " + front_desk + "services: [",
            )
        )
    return broken_copy(tmp_path, edits)


@pytest.mark.parametrize(
    ("manager", "path", "message"),
    [
        (
            "supervises: [technican], ",
            "roles[2].supervises[0]",
            "unknown role 'technican' (did you mean 'technician'?)",
        ),
        (
            "entities: {custmer: [view]}, ",
            "roles[2].entities.custmer",
            "unknown entity 'custmer' (did you mean 'customer'?)",
        ),
        ("entities: {operator: [view]}, ", "roles[2].entities.operator", "unknown entity"),
        ("entities: {customer: [view, delete]}, ", "roles[2].entities.customer", "delete"),
        ("entities: {customer: view}, ", "roles[2].entities.customer", "expected a list"),
    ],
)
def test_bad_rights_are_located_errors(tmp_path, manager, path, message):
    folder = with_rights(tmp_path, manager)
    with pytest.raises(SpecInvalid) as caught:
        validate_folder(folder)
    found = [(e.path, e.message, str(e)) for e in caught.value.errors]
    assert len(found) == 1, found
    assert found[0][0].startswith(path) and message in found[0][1], found
    assert "services.yaml:" in found[0][2]  # file and line of the mistake


def test_rights_validate_to_the_spec(tmp_path):
    folder = with_rights(
        tmp_path,
        "supervises: [technician, front_desk], entities: {customer: [view, add, change], Device: [view]}, ",
        "entities: {customer: [view, add]}, ",
    )
    spec = validate_folder(folder)
    roles = {r.name: r for r in spec.roles}
    assert roles["manager"].supervises == ["technician", "front_desk"]
    assert roles["manager"].entities == {"customer": ["view", "add", "change"], "device": ["view"]}
    assert roles["front_desk"].entities == {"customer": ["view", "add"]}
    assert roles["technician"].supervises == [] and roles["technician"].entities == {}


@pytest.mark.django_db
def test_rights_load_export_byte_stable_and_publish(tmp_path):
    from django.contrib.auth.models import Permission

    from design.models import Role as DesignRole
    from design.publish import revision_publish
    from design.selectors import spec_get
    from design.services import spec_load
    from design.specs.export import export_tenant
    from kernel.models import Operator, Role
    from tests.design.test_roundtrip import read_folder

    folder = with_rights(
        tmp_path,
        "supervises: [front_desk, technician], entities: {device: [view], customer: [view, add, change]}, ",
        "entities: {customer: [view, add]}, ",
    )
    spec_load(folder=folder)
    assert spec_get(tenant="repair_shop") == validate_folder(folder)
    manager = DesignRole.objects.get(name="manager")
    assert manager.supervises == ["front_desk", "technician"]
    first, second = tmp_path / "first", tmp_path / "second"
    export_tenant(tenant="repair_shop", folder=first)
    assert "supervises: [front_desk, technician]" in (first / "organization.yaml").read_text()
    assert (
        "entities: {device: [view], customer: [view, add, change]}"
        in (first / "organization.yaml").read_text()
    )
    spec_load(folder=first)
    export_tenant(tenant="repair_shop", folder=second)
    assert read_folder(first) == read_folder(second)

    revision_publish(tenant="repair_shop")
    kernel_manager = Role.objects.get(tenant__name="repair_shop", name="manager")
    assert sorted(r.name for r in kernel_manager.supervises.all()) == ["front_desk", "technician"]
    ana = Operator.objects.get(tenant__name="repair_shop", name="ana").user  # front desk
    ben = Operator.objects.get(tenant__name="repair_shop", name="ben").user  # technician
    assert ana.has_perm("repair_shop.add_customer") and ana.has_perm("repair_shop.view_customer")
    assert not ana.has_perm("repair_shop.change_customer")
    assert not ben.has_perm("repair_shop.add_customer")
    assert Permission.objects.filter(
        group__name="repair_shop:manager", codename="change_customer"
    ).exists()
