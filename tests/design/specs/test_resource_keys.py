"""Resource keys ``minimum`` and ``keepers``: validated with located errors, exported byte-stable,
published onto the kernel's resources."""

from __future__ import annotations

from decimal import Decimal

import pytest

from design.specs.errors import SpecInvalid
from design.specs.loader import read_spec_folder
from design.specs.validate import validate_folder, validate_raw
from tests.design.specs.helpers import broken_copy, folder_digest

PANEL = "{label: Screen panel, name: screen_panel, kind: material, unit: pcs, quantity: 25}"


def errors(folder) -> list[tuple[str, str]]:
    spec, found = validate_raw(read_spec_folder(folder))
    assert spec is None
    return [(str(e).split(": ", 1)[1], e.code.name) for e in found]


def test_minimum_and_keepers_are_read(tmp_path):
    folder = broken_copy(
        tmp_path,
        [("services.yaml", PANEL, PANEL[:-1] + ", minimum: 5, keepers: [Manager, technician]}")],
    )
    spec = validate_folder(folder)
    panel = {r.name: r for r in spec.resources}["screen_panel"]
    assert (panel.minimum, panel.keepers) == (5, ["manager", "technician"])  # labels resolve


@pytest.mark.parametrize(
    "new, expected",
    [
        (
            PANEL[:-1] + ", minimum: -1}",
            [("resources[2].minimum: -1 is less than the minimum of 0", "SCHEMA")],
        ),
        (
            PANEL[:-1] + ", keepers: [technican]}",
            [
                (
                    "resources[2].keepers[0]: unknown role 'technican' "
                    "(did you mean 'technician'?)",
                    "UNKNOWN_REFERENCE",
                )
            ],
        ),
    ],
)
def test_bad_material_keys_are_located(tmp_path, new, expected):
    folder = broken_copy(tmp_path, [("services.yaml", PANEL, new)])
    before = folder_digest(folder)
    assert errors(folder) == expected
    with pytest.raises(SpecInvalid):
        validate_folder(folder)
    assert folder_digest(folder) == before


def test_minimum_and_keepers_are_for_stock_only(tmp_path):
    folder = broken_copy(
        tmp_path,
        [
            (
                "services.yaml",
                "kind: equipment, capacity: 2}",
                "kind: equipment, capacity: 2, minimum: 1, keepers: [manager]}",
            )
        ],
    )
    assert errors(folder) == [
        (
            "resources[0].minimum: minimum is for material and capital, not equipment",
            "INVALID_VALUE",
        ),
        (
            "resources[0].keepers: keepers adjust stock: they are for material and capital, "
            "not equipment",
            "INVALID_VALUE",
        ),
    ]


def test_export_is_byte_stable_with_the_new_keys(tmp_path):
    from design.specs.export import spec_to_files, write_files

    folder = broken_copy(
        tmp_path,
        [("services.yaml", PANEL, PANEL[:-1] + ", minimum: 2.5, keepers: [Manager]}")],
    )
    spec = validate_folder(folder)
    files = spec_to_files(spec)
    out = tmp_path / "out"
    write_files(files=files, folder=out)
    again = validate_folder(out)
    assert again == spec
    assert spec_to_files(again) == files
    assert "minimum: 2.5, keepers: [manager]}" in "".join(files.values())


@pytest.mark.django_db
def test_publish_sets_and_updates_minimum_and_keepers(tmp_path):
    from design.publish import revision_publish
    from kernel.models import MaterialResource

    folder = broken_copy(
        tmp_path, [("services.yaml", PANEL, PANEL[:-1] + ", minimum: 5, keepers: [manager]}")]
    )
    revision_publish(tenant="repair_shop", spec=validate_folder(folder))
    panel = MaterialResource.objects.get(tenant__name="repair_shop", name="screen_panel")
    assert (panel.minimum, panel.keepers, panel.quantity) == (Decimal(5), ["manager"], 25)
    folder2 = broken_copy(tmp_path / "2", [("services.yaml", PANEL, PANEL[:-1] + ", minimum: 8}")])
    revision_publish(tenant="repair_shop", spec=validate_folder(folder2))
    panel.refresh_from_db()
    assert (panel.minimum, panel.keepers) == (Decimal(8), [])
