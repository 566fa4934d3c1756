"""Service key ``new_record``: validated (only with a record), loaded, exported byte-stable and
published to the kernel's service rows."""

from __future__ import annotations

import pytest

from design.specs.errors import SpecInvalid
from design.specs.validate import validate_folder
from tests.design.specs.helpers import broken_copy

APPROVE = "{label: Approve quote, name: approve_quote, record: quote, serves: customer,"
RETURN = "{label: Return device, name: return_device, serves: customer,"


def test_new_record_without_a_record_is_a_located_error(tmp_path):
    folder = broken_copy(tmp_path, [("services.yaml", RETURN, RETURN + " new_record: true,")])
    with pytest.raises(SpecInvalid) as caught:
        validate_folder(folder)
    found = [(e.path, e.message, str(e)) for e in caught.value.errors]
    assert len(found) == 1, found
    assert found[0][0].startswith("services[") and found[0][0].endswith("new_record"), found
    assert "needs a `record`" in found[0][1]
    assert "services.yaml:" in found[0][2]


def test_new_record_must_be_a_boolean(tmp_path):
    folder = broken_copy(
        tmp_path, [("services.yaml", APPROVE, APPROVE + " new_record: yes-please,")]
    )
    with pytest.raises(SpecInvalid) as caught:
        validate_folder(folder)
    assert any("new_record" in e.path for e in caught.value.errors), caught.value.errors


@pytest.mark.django_db
def test_new_record_loads_exports_byte_stable_and_publishes(tmp_path):
    from design.models import Service
    from design.publish import revision_publish
    from design.selectors import spec_get
    from design.services import spec_load
    from design.specs.export import export_tenant
    from kernel.models import ServiceDef
    from tests.design.test_roundtrip import read_folder

    folder = broken_copy(tmp_path, [("services.yaml", APPROVE, APPROVE + " new_record: true,")])
    spec = validate_folder(folder)
    flags = {s.name: s.new_record for s in spec.services}
    assert flags["approve_quote"] is True and flags["write_quote"] is False
    spec_load(folder=folder)
    assert spec_get(tenant="repair_shop") == spec
    assert Service.objects.get(tenant__name="repair_shop", name="approve_quote").new_record
    first, second = tmp_path / "first", tmp_path / "second"
    export_tenant(tenant="repair_shop", folder=first)
    assert "    new_record: true\n" in (first / "services.yaml").read_text()
    assert (first / "services.yaml").read_text().count("new_record") == 1
    spec_load(folder=first)
    export_tenant(tenant="repair_shop", folder=second)
    assert read_folder(first) == read_folder(second)

    revision_publish(tenant="repair_shop")
    rows = dict(
        ServiceDef.objects.filter(revision__tenant__name="repair_shop").values_list(
            "name", "new_record"
        )
    )
    assert rows["approve_quote"] is True and rows["write_quote"] is False
