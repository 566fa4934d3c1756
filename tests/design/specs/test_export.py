"""spec_to_files (pure YAML writer) and write_files (atomic folder update)."""

from __future__ import annotations

import copy
import os
from decimal import Decimal

import pytest
import yaml

from design.specs.export import flow, scalar, spec_to_files, write_files
from design.specs.loader import read_spec_folder
from design.specs.model import Choice, FieldSpec
from tests.design.spec_factories import small_spec

QUOTE_ME = [
    "yes",
    "no",
    "on",
    "off",
    "1",
    "1.5",
    "00:30",
    "",
    "a: b",
    "x #y",
    "#x",
    "null",
    "~",
    "true",
    "- a",
    "[a]",
    "{a}",
    "a, b",
    "@a",
    "`a",
    "'a'",
    '"a"',
    " a",
    "a ",
    "2024-01-01",
    "0x1F",
    "*a",
    "&a",
    "!a",
    "%a",
    "|",
    ">",
]
PLAIN = ["客户", "Work Order", "entity.full_name", "PT30M", "a#b", "labour_hours * hourly_rate"]
FLOW_QUOTED = ["a:b", "C-{#####}"]  # plain in block context, but not inside a flow mapping


@pytest.mark.parametrize(
    "text", QUOTE_ME + PLAIN + ["line\nbreak", "tab\tx", "uni\u2028sep", "中文\n第二行"]
)
def test_strings_read_back_as_the_same_strings_in_flow_and_block(text):
    for document in (
        f"k: {scalar(text)}\n",
        f"k: [{scalar(text)}]\n",
        f"k: {{a: {scalar(text)}}}\n",
    ):
        loaded = yaml.safe_load(document)["k"]
        value = (
            loaded[0]
            if isinstance(loaded, list)
            else loaded["a"]
            if isinstance(loaded, dict)
            else loaded
        )
        assert value == text, document
    assert "\n" not in scalar(text)


@pytest.mark.parametrize("text", PLAIN)
def test_ordinary_strings_stay_unquoted(text):
    assert scalar(text) == text


def test_numbers_and_booleans_are_plain():
    assert [scalar(v) for v in (0, 60, True, False, Decimal("19.99"), Decimal("100"), 2.5)] == [
        "0",
        "60",
        "true",
        "false",
        "19.99",
        "100",
        "2.5",
    ]
    assert flow({"to": "manager", "priority": 5}) == "{to: manager, priority: 5}"


def test_layout_of_a_small_spec():
    files = spec_to_files(small_spec())
    assert list(files) == [
        "tenant.yaml",
        "entities.yaml",
        "services.yaml",
        "organization.yaml",
        "views.yaml",
    ]
    assert files["tenant.yaml"] == (
        "spec_version: 1\ntenant:\n  name: shop\n  label: 修理店\n  language: zh-hans\n  timezone: Asia/Shanghai\n"
    )
    entities = files["entities.yaml"]
    assert entities.startswith(
        "fields:\n"
        "  - {name: full_name, label: 姓名, type: char, required: true, max_length: 50}\n"
        "  - {name: phone, label: 电话, type: char, max_length: 20, pattern: '^[0-9+\\- ]{5,20}$'}\n"
        "\n"
        "entities:\n"
        "  - name: fault\n"
        "    label: 故障\n"
        "    kind: dict\n"
        "    rows: [屏幕, 'yes']\n"
        "\n"
        "  - name: customer\n"
        "    label: 客户\n"
        "    naming: 'C-{#####}'\n"
        "    fields:\n"
        "      - full_name\n"
        "      - {field: phone, label: 手机, required: true}\n"
        "      - {name: contact, label: Preferred contact, type: char, default: 'no', choices: [phone, 'no'], help: 'a: b # not a comment'}\n"
    )
    assert "kind: model" not in entities  # defaults are omitted
    assert "    list: [number, full_name]\n    search: [full_name, phone]\n" in entities
    services = files["services.yaml"]
    assert "      - {resource: bench}\n      - {resource: panel, quantity: 2.5}\n" in services
    assert "    price: 19.99\n    manual_start: true\n    rules:\n" in services
    assert "params: {to: boss, priority: 5}, order: 3, mode: decision}" in services
    assert "  - {name: late, label: Late, timer: {after: PT2H, of: started}}\n" in services
    views = files["views.yaml"]
    assert "      - {label: Pid, value: pid, visible: false}\n" in views
    assert views.endswith(
        "menu:\n  - {label: Customers, entity: customer}\n  - label: Work\n    children:\n"
        "      - {name: open, label: Open, view: public_tasks}\n"
    )


def test_written_files_read_back_through_the_spec_loader(tmp_path):
    write_files(files=spec_to_files(small_spec()), folder=tmp_path)
    raw = read_spec_folder(tmp_path)
    assert raw.errors == []
    customer = raw.data["entities"][1]
    assert (
        customer["fields"][2]["default"] == "no"
        and customer["fields"][2]["help"] == "a: b # not a comment"
    )
    assert raw.data["entities"][0]["rows"] == ["屏幕", "yes"]


def test_same_spec_same_bytes_and_sets_are_canonical():
    spec = small_spec()
    shuffled = copy.deepcopy(spec)
    shuffled.services[2].rules[1].params = {"priority": 5, "to": "boss"}
    assert spec_to_files(spec) == spec_to_files(shuffled)


def test_overrides_are_written_even_when_they_restore_a_default():
    spec = small_spec()
    spec.fields[0].required = True
    usage = spec.entity("customer").fields[0]
    usage.required, usage.overrides = False, ("required",)
    assert "      - {field: full_name, required: false}\n" in spec_to_files(spec)["entities.yaml"]


def test_choices_with_labels_and_empty_sections():
    spec = small_spec()
    spec.fields.append(
        FieldSpec(name="method", label="Method", type="char", choices=[Choice("cash", "Cash")])
    )
    spec.services, spec.events, spec.roles, spec.operators, spec.resources = [], [], [], [], []
    spec.views, spec.menu = [], []
    files = spec_to_files(spec)
    assert "choices: [{value: cash, label: Cash}]" in files["entities.yaml"]
    assert set(files) == {"tenant.yaml", "entities.yaml"}


def test_write_files_replaces_atomically_and_removes_stale_yaml(tmp_path):
    (tmp_path / "old.yaml").write_text("x: 1\n")
    (tmp_path / "README.md").write_text("keep me\n")
    files = spec_to_files(small_spec())
    written = write_files(files=files, folder=tmp_path)
    assert [p.name for p in written] == list(files)
    assert not (tmp_path / "old.yaml").exists()
    assert (tmp_path / "README.md").read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*files, "README.md"]
    )  # no temp files
    stamp = os.stat(tmp_path / "tenant.yaml").st_mtime_ns
    os.utime(tmp_path / "tenant.yaml", ns=(stamp - 10**9, stamp - 10**9))
    write_files(files=files, folder=tmp_path)  # unchanged files are not rewritten
    assert os.stat(tmp_path / "tenant.yaml").st_mtime_ns == stamp - 10**9
    assert {p.name: p.read_text(encoding="utf-8") for p in written} == files
