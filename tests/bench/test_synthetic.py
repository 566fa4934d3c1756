"""The synthetic benchmark spec: valid, deterministic, sized as asked."""

from __future__ import annotations

import pytest

from bench.synthetic import write_synthetic_spec
from design.specs.validate import validate_folder


def _bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_small_synthetic_spec_is_valid_and_deterministic(tmp_path):
    first = write_synthetic_spec(tmp_path / "a", entities=30, fields=300, tenant="syn")
    second = write_synthetic_spec(tmp_path / "b", entities=30, fields=300, tenant="syn")
    assert _bytes(first) == _bytes(second)
    spec = validate_folder(first)
    assert spec.tenant.name == "syn"
    assert len(spec.entities) == 30
    assert sum(len(e.fields) for e in spec.entities) == 300
    kinds = {e.kind for e in spec.entities}
    assert kinds == {"model", "record", "dict"}
    assert any(e.is_a for e in spec.entities) and any(e.part_of for e in spec.entities)
    assert any(f.type == "computed" for e in spec.entities for f in e.fields)
    assert any(
        f.source == "rf_email" and f.overrides == ("required",)
        for e in spec.entities
        for f in e.fields
    )
    assert "shi_ti_3" in {e.name for e in spec.entities}  # a derived pinyin name
    assert any(s.is_program for s in spec.services)


@pytest.mark.slow
def test_default_size_is_300_entities_and_3000_fields(tmp_path):
    spec = validate_folder(write_synthetic_spec(tmp_path / "big"))
    assert len(spec.entities) == 300
    assert sum(len(e.fields) for e in spec.entities) == 3000
