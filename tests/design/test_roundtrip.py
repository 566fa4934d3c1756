"""YAML -> design DB -> YAML: byte-stable for the shared specs and for random specs; errors write nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings

from design.models import DataItem, Resource, Service, ServiceRule
from design.selectors import spec_get
from design.services import spec_load
from design.specs.errors import SpecInvalid
from design.specs.export import export_tenant, spec_to_files, write_files
from design.specs.model import Spec
from design.specs.validate import validate_folder
from tests.design.strategies import specs

pytestmark = pytest.mark.django_db


def design_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in apps.get_app_config("design").get_models()}


def read_folder(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


def assert_round_trip_is_byte_stable(spec_dir: Path, tenant: str, tmp_path: Path) -> None:
    spec_load(folder=spec_dir)
    assert spec_get(tenant=tenant) == validate_folder(spec_dir)  # the DB holds exactly the spec
    first, second = tmp_path / "first", tmp_path / "second"
    export_tenant(tenant=tenant, folder=first)
    spec_load(folder=first)
    export_tenant(tenant=tenant, folder=second)
    assert read_folder(first) == read_folder(second)
    assert set(read_folder(first)) == {
        "tenant.yaml",
        "entities.yaml",
        "services.yaml",
        "organization.yaml",
        "views.yaml",
    }
    assert validate_folder(first) == validate_folder(spec_dir)  # and means the same as the source


def test_repair_shop_round_trip_is_byte_stable(repair_shop_spec_dir, tmp_path):
    assert_round_trip_is_byte_stable(repair_shop_spec_dir, "repair_shop", tmp_path)


def test_clinic_round_trip_is_byte_stable(clinic_spec_dir, tmp_path):
    assert (clinic_spec_dir / "tenant.yaml").is_file()
    assert_round_trip_is_byte_stable(clinic_spec_dir, "clinic", tmp_path)


def test_export_pins_names_and_writes_unicode_as_is(repair_shop_spec_dir, tmp_path):
    spec_load(folder=repair_shop_spec_dir)
    export_tenant(tenant="repair_shop", folder=tmp_path)
    entities = (tmp_path / "entities.yaml").read_text(encoding="utf-8")
    assert "  - name: customer\n    label: Customer\n    naming: 'C-{#####}'\n" in entities
    assert "      - {field: phone, required: true}\n" in entities
    assert "    rows: [Phone, Laptop, Tablet, Console]\n" in entities
    services = (tmp_path / "services.yaml").read_text(encoding="utf-8")
    assert "params: {max_retries: 3, backoff: PT1M}" in services
    assert (
        "  - {name: large_invoice, label: Large invoice, expression: form.amount > 1000}\n"
        in services
    )


def test_reloading_an_edited_folder_updates_in_place_and_removes(repair_shop_spec_dir, tmp_path):
    folder = tmp_path / "spec"
    shutil.copytree(repair_shop_spec_dir, folder)
    spec_load(folder=folder)
    customer = DataItem.objects.get(name="customer", kind="model").erpsys_id
    quote = Service.objects.get(name="write_quote").erpsys_id
    rules = ServiceRule.objects.filter(program__name="repair_job").count()

    entities = (folder / "entities.yaml").read_text(encoding="utf-8")
    entities = entities.replace("label: Customer\n", "label: Client\n", 1)
    start = entities.index("  - label: Notification")
    entities = (
        entities[: entities.index("forms:")].replace(entities[start : entities.index("forms:")], "")
        + entities[entities.index("forms:") :]
    )
    (folder / "entities.yaml").write_text(entities, encoding="utf-8")
    services = (folder / "services.yaml").read_text(encoding="utf-8")
    services = services.replace(
        "  - {label: Notify customer, name: notify_customer, kind: system, record: notification, serves: customer, action: notify_customer}\n",
        "",
    )
    services = services.replace(
        "      - {service: invoice_service, event: completed, instruction: start_service, operand: notify_customer}\n"
        "      - {service: notify_customer, event: failed, instruction: retry_process, params: {max_retries: 3, backoff: PT1M}}\n"
        "      - {service: notify_customer, event: completed, instruction: start_service, operand: return_device}\n",
        "      - {service: invoice_service, event: completed, instruction: start_service, operand: return_device}\n",
    )
    services = services.replace("  - {label: Till, name: till, kind: capital, quantity: 500}\n", "")
    (folder / "services.yaml").write_text(services, encoding="utf-8")
    spec_load(folder=folder)

    row = DataItem.objects.get(name="customer", kind="model")
    assert (row.erpsys_id, row.label, row.pym) == (customer, "Client", "c")
    assert Service.objects.get(name="write_quote").erpsys_id == quote
    assert not DataItem.objects.filter(name="notification").exists()
    assert not Service.objects.filter(name="notify_customer").exists()
    assert not Resource.objects.filter(name="till").exists()
    assert ServiceRule.objects.filter(program__name="repair_job").count() == rules - 2
    assert spec_get(tenant="repair_shop") == validate_folder(folder)


def test_a_spec_with_errors_changes_nothing(repair_shop_spec_dir, tmp_path):
    spec_load(folder=repair_shop_spec_dir)
    before = design_counts()
    snapshot = spec_get(tenant="repair_shop")
    folder = tmp_path / "broken"
    shutil.copytree(repair_shop_spec_dir, folder)
    entities = (folder / "entities.yaml").read_text(encoding="utf-8")
    entities = entities.replace("label: Customer\n", "label: Client\n", 1)  # a valid edit ...
    entities = entities.replace("to: device_type,", "to: device_typo,")  # ... and an error
    (folder / "entities.yaml").write_text(entities, encoding="utf-8")
    with pytest.raises(SpecInvalid) as exc:
        spec_load(folder=folder)
    assert "device_typo" in str(exc.value)
    assert design_counts() == before
    assert spec_get(tenant="repair_shop") == snapshot


def test_a_broken_spec_for_a_new_tenant_creates_nothing(repair_shop_spec_dir, tmp_path):
    before = design_counts()
    folder = tmp_path / "broken"
    shutil.copytree(repair_shop_spec_dir, folder)
    services = (folder / "services.yaml").read_text(encoding="utf-8")
    (folder / "services.yaml").write_text(
        services.replace("operand: inspect", "operand: inspekt"), encoding="utf-8"
    )
    with pytest.raises(SpecInvalid):
        spec_load(folder=folder)
    assert design_counts() == before


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=specs())
def test_export_of_a_loaded_random_spec_is_a_fixed_point(spec: Spec):
    files = spec_to_files(spec)
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp, "in"), Path(tmp, "out")
        write_files(files=files, folder=source)
        spec_load(folder=source)  # each example loads over the previous one: updates in place
        export_tenant(tenant=spec.tenant.name, folder=out)
        exported = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.yaml"))}
        assert exported == files
        spec_load(folder=out)
        assert spec_get(tenant=spec.tenant.name) == spec
