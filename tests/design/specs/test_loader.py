"""The YAML folder reader: merged sections, node marks, and located read errors."""

from pathlib import Path

from design.specs.errors import SpecErrorCode
from design.specs.loader import format_path, read_spec_folder
from design.specs.model import Location


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


TENANT = "spec_version: 1\ntenant: {name: shop, label: Shop}\n"


def test_format_path():
    assert format_path(("entities", 3, "fields", 2, "to")) == "entities[3].fields[2].to"
    assert format_path(()) == ""


def test_reads_repair_shop_with_marks(repair_shop_spec_dir):
    raw = read_spec_folder(repair_shop_spec_dir)
    assert raw.errors == []
    assert [Path(f).name for f in raw.files] == ["entities.yaml", "services.yaml", "tenant.yaml"]
    assert raw.data["tenant"]["name"] == "repair_shop"
    customer = raw.data["entities"][2]
    assert customer["naming"] == "C-{#####}"
    file = raw.files[0]
    # `{field: phone, required: true}` on line 29: the value `true` at column 34, the key at 24.
    assert raw.locations[("entities", 2, "fields", 1, "required")] == Location(file, 29, 34)
    assert raw.key_locations[("entities", 2, "fields", 1, "required")] == Location(file, 29, 24)
    assert raw.locate(("entities", 2, "fields", 1, "nope")) == Location(file, 29, 9)


def test_list_sections_concatenate_in_file_order(tmp_path):
    folder = write(
        tmp_path / "t",
        {
            "a.yaml": "entities:\n  - {label: A}\n",
            "b.yaml": "entities:\n  - {label: B}\n  - {label: C}\n",
            "tenant.yaml": TENANT,
        },
    )
    raw = read_spec_folder(folder)
    assert raw.errors == []
    assert [e["label"] for e in raw.data["entities"]] == ["A", "B", "C"]
    assert raw.locations[("entities", 2)] == Location(str(folder / "b.yaml"), 3, 5)
    assert raw.locations[("entities", 0, "label")] == Location(str(folder / "a.yaml"), 2, 13)


def test_dates_stay_strings_and_no_python_tags(tmp_path):
    folder = write(tmp_path / "t", {"tenant.yaml": TENANT + "x: 2024-05-01\n"})
    raw = read_spec_folder(folder)
    assert raw.data["x"] == "2024-05-01"
    folder = write(
        tmp_path / "u", {"tenant.yaml": TENANT + "x: !!python/object/apply:os.system ['true']\n"}
    )
    raw = read_spec_folder(folder)
    assert [e.code for e in raw.errors] == [SpecErrorCode.YAML_SYNTAX]
    assert raw.fatal


def test_yaml_syntax_error_is_located(tmp_path):
    folder = write(tmp_path / "t", {"tenant.yaml": TENANT, "z.yaml": "entities:\n  - {label: A\n"})
    raw = read_spec_folder(folder)
    assert raw.fatal
    (error,) = raw.errors
    assert error.code == SpecErrorCode.YAML_SYNTAX
    assert error.location.file == str(folder / "z.yaml")
    assert (error.location.line, error.location.column) == (3, 1)


def test_duplicate_tenant_section(tmp_path):
    folder = write(
        tmp_path / "t", {"tenant.yaml": TENANT, "x.yaml": "tenant: {name: b, label: B}\n"}
    )
    raw = read_spec_folder(folder)
    (error,) = raw.errors
    assert str(error) == (
        f"{folder}/x.yaml:1:1: tenant: section 'tenant' must appear exactly once "
        f"(already defined at {folder}/tenant.yaml:2:1)"
    )
    assert error.code == SpecErrorCode.DUPLICATE
    assert raw.data["tenant"]["name"] == "shop"


def test_duplicate_mapping_keys(tmp_path):
    folder = write(
        tmp_path / "t",
        {"tenant.yaml": TENANT + "fields:\n  - {label: A, type: char, type: text}\n"},
    )
    raw = read_spec_folder(folder)
    (error,) = raw.errors
    assert (
        str(error)
        == f"{folder}/tenant.yaml:4:28: fields[0].type: duplicate key 'type' in one mapping"
    )
    assert raw.data["fields"][0]["type"] == "char"  # the first one wins, the second is reported


def test_missing_folder_and_empty_folder(tmp_path):
    raw = read_spec_folder(tmp_path / "nope")
    assert raw.fatal and raw.errors[0].code == SpecErrorCode.IO
    assert "does not exist" in raw.errors[0].message
    (tmp_path / "empty").mkdir()
    raw = read_spec_folder(tmp_path / "empty")
    assert raw.fatal and raw.errors[0].message == f"no *.yaml files in {str(tmp_path / 'empty')!r}"


def test_relative_paths_when_below_cwd(tmp_path, monkeypatch):
    folder = write(tmp_path / "meta_specs" / "shop", {"tenant.yaml": TENANT})
    monkeypatch.chdir(tmp_path)
    raw = read_spec_folder(folder)
    assert raw.files == ["meta_specs/shop/tenant.yaml"]


def test_top_level_must_be_a_mapping(tmp_path):
    folder = write(tmp_path / "t", {"tenant.yaml": TENANT, "x.yaml": "- a\n- b\n"})
    raw = read_spec_folder(folder)
    assert [e.message for e in raw.errors] == ["a spec file must be a mapping of sections"]


def test_empty_file_is_ignored(tmp_path):
    folder = write(tmp_path / "t", {"tenant.yaml": TENANT, "x.yaml": "# nothing yet\n"})
    raw = read_spec_folder(folder)
    assert raw.errors == [] and raw.data["tenant"]["name"] == "shop"
