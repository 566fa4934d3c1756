"""The store's writes: all files or none, and checks that write nothing."""

from __future__ import annotations

import os

import pytest

from design.editors import store


def test_a_failed_rename_puts_every_old_file_back(tmp_path, monkeypatch):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.yaml").write_text("old a\n")
    (folder / "b.yaml").write_text("old b\n")
    (folder / "stale.yaml").write_text("stale\n")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", failing_replace)
    with pytest.raises(OSError):
        store.write_all_or_nothing(folder, {"a.yaml": "new a\n", "b.yaml": "new b\n"})
    assert {p.name: p.read_text() for p in folder.iterdir()} == {
        "a.yaml": "old a\n",
        "b.yaml": "old b\n",
        "stale.yaml": "stale\n",
    }


def test_writes_only_changed_files_and_drops_stale_ones(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.yaml").write_text("same\n")
    (folder / "old.yaml").write_text("x\n")
    changed = store.write_all_or_nothing(folder, {"a.yaml": "same\n", "b.yaml": "b\n"})
    assert changed == ["b.yaml", "old.yaml"]
    assert sorted(p.name for p in folder.iterdir()) == ["a.yaml", "b.yaml"]


@pytest.mark.django_db
def test_save_refuses_a_spec_with_errors_and_a_renamed_tenant(specs):
    from tests.design.specs.helpers import folder_digest

    loaded = store.load("repair_shop")
    before = folder_digest(specs / "repair_shop")
    broken = store.copy_data(loaded.data)
    broken["services"][0]["duration"] = "soon"
    saved = store.save("repair_shop", broken)
    assert not saved.ok and [e.code for e in saved.errors] == ["invalid_duration"]
    renamed = store.copy_data(loaded.data)
    renamed["tenant"]["name"] = "other_shop"
    assert not store.save("repair_shop", renamed).ok
    assert folder_digest(specs / "repair_shop") == before
    # The same messages and codes as `spec validate` on the same text.
    assert str(saved.errors[0]).startswith("meta_specs/repair_shop/services.yaml:")
