"""The example tenants' specs: the clinic's treatments hold a treatment room (botox treatment
consumes botox), the repair shop's repairs hold a workbench; materials have a minimum."""

from __future__ import annotations

from design.specs.validate import validate_folder


def requires(spec) -> dict[str, dict[str, object]]:
    return {s.name: {r.resource: r.quantity for r in s.requires} for s in spec.services}


def test_clinic_treatments_hold_a_room_and_botox_is_consumed(clinic_spec_dir):
    spec = validate_folder(clinic_spec_dir)
    needs = requires(spec)
    # The seven treatments (write_off_treatment is the front desk's bookkeeping, not a treatment).
    treatments = [n for n in needs if n.endswith("_treatment") and n != "write_off_treatment"]
    assert len(treatments) == 7
    assert all("treatment_room" in needs[name] for name in treatments)
    assert needs["botox_treatment"] == {"treatment_room": 1, "botox": 1}
    resources = {r.name: r for r in spec.resources}
    assert resources["botox"].kind == "material"  # consumed on completion
    assert (resources["botox"].minimum, resources["botox"].keepers) == (10, ["nurse", "manager"])
    assert (resources["treatment_room"].kind, resources["treatment_room"].capacity) == (
        "equipment",
        2,
    )


def test_repair_shop_repairs_hold_a_workbench(repair_shop_spec_dir):
    spec = validate_folder(repair_shop_spec_dir)
    needs = requires(spec)
    assert needs["repair_device"]["workbench"] == 1
    assert needs["inspect"]["workbench"] == 1
    assert {r.name: r.kind for r in spec.resources}["workbench"] == "equipment"
