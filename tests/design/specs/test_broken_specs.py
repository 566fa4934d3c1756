"""Broken specs: each edit of repair_shop yields exactly these located errors, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from design.specs.errors import SpecErrorCode, SpecInvalid
from design.specs.loader import read_spec_folder
from design.specs.validate import validate_folder, validate_raw
from tests.design.specs.helpers import broken_copy, folder_digest

# (edits applied to a copy of /work/shared/specs/repair_shop, expected "FILE:LINE:COLUMN: PATH: MESSAGE"
# lines with {d} standing for the copy's folder, and each error's code), one case per kind of mistake.
CASES = [
    pytest.param(
        [
            (
                "entities.yaml",
                "    rows: [Phone, Laptop, Tablet, Console]",
                "    rows: [Phone, Laptop",
            )
        ],
        [
            (
                "{d}/entities.yaml:14:10: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence started at line 12, column 11)",
                "YAML_SYNTAX",
            )
        ],
        id="bad_yaml",
    ),
    pytest.param(
        [("services.yaml", "kind: equipment, capacity: 2}", "kind: equipment, capacity: two}")],
        [
            (
                "{d}/services.yaml:70:68: resources[0].capacity: expected an integer, got 'two'",
                "SCHEMA",
            )
        ],
        id="wrong_type",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "name: full_name, type: char, max_length: 80,",
                "name: full_name, type: char, max_lenght: 80,",
            )
        ],
        [
            (
                "{d}/entities.yaml:2:53: fields[0].max_lenght: unknown key 'max_lenght' (did you mean 'max_length'?)",
                "SCHEMA",
            )
        ],
        id="unknown_key_typo",
    ),
    pytest.param(
        [("entities.yaml", "    name: fault\n    kind: dict", "    name: fault\n    kind: dic")],
        [
            (
                "{d}/entities.yaml:16:11: entities[1].kind: 'dic' is not one of model, record, dict (did you mean 'dict'?)",
                "INVALID_VALUE",
            )
        ],
        id="enum_typo",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "{label: Ana, name: ana, roles: [front_desk]}",
                "{name: ana, roles: [front_desk]}",
            )
        ],
        [("{d}/services.yaml:64:5: operators[0]: missing required key 'label'", "MISSING")],
        id="missing_required_key",
    ),
    pytest.param(
        [("entities.yaml", "to: device_type, required: true}", "to: device_typ, required: true}")],
        [
            (
                "{d}/entities.yaml:49:57: entities[4].fields[0].to: unknown entity 'device_typ' (did you mean 'device_type'?)",
                "UNKNOWN_REFERENCE",
            )
        ],
        id="unknown_reference",
    ),
    pytest.param(
        [
            ("entities.yaml", "  - label: Inspection\n", "  - label: Quote\n"),
            ("services.yaml", "record: quote, form: quote_form", "record: Quote, form: quote_form"),
        ],
        [
            (
                "{d}/services.yaml:11:53: services[2].record: ambiguous entity 'Quote': it is the label of 'inspection', 'quote'; use the name",
                "AMBIGUOUS_REFERENCE",
            )
        ],
        id="ambiguous_reference",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "    naming: 'C-{#####}'\n",
                "    naming: 'C-{#####}'\n    is_a: business_customer\n",
            )
        ],
        [
            (
                "{d}/entities.yaml:40:11: entities[3].is_a: is_a cycle: customer -> business_customer -> customer",
                "CYCLE",
            )
        ],
        id="is_a_cycle",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "    naming: 'C-{#####}'\n",
                "    naming: 'C-{#####}'\n    part_of: device\n",
            )
        ],
        [
            (
                "{d}/entities.yaml:48:14: entities[4].part_of: part_of cycle: customer -> device -> customer",
                "CYCLE",
            )
        ],
        id="part_of_cycle",
    ),
    pytest.param(
        [("entities.yaml", "    name: fault\n", "    name: device_type\n")],
        [
            (
                "{d}/entities.yaml:15:11: entities[1].name: duplicate entity name 'device_type' (first defined at {d}/entities.yaml:9:5)",
                "DUPLICATE",
            ),
            (
                "{d}/entities.yaml:59:63: entities[5].fields[1].to: unknown entity 'fault'",
                "UNKNOWN_REFERENCE",
            ),
        ],
        id="duplicate_names",
    ),
    pytest.param(
        [("entities.yaml", "  - label: Fault\n    name: fault\n", "  - label: Device Type\n")],
        [
            (
                "{d}/entities.yaml:14:12: entities[1].label: entity name 'device_type' collides with 'Device type' at {d}/entities.yaml:9:5; give one of them an explicit `name`",
                "NAME_COLLISION",
            ),
            (
                "{d}/entities.yaml:58:63: entities[5].fields[1].to: unknown entity 'fault'",
                "UNKNOWN_REFERENCE",
            ),
        ],
        id="derived_name_collision",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "{label: Model, name: model_name, type: char, max_length: 80}",
                "{label: Serial Number, type: char, max_length: 80}",
            ),
            (
                "entities.yaml",
                "{label: Serial number, name: serial, type: char",
                "{label: Serial number, type: char",
            ),
        ],
        [
            (
                "{d}/entities.yaml:51:17: entities[4].fields[2].label: field of 'device' name 'serial_number' collides with 'Serial Number' at {d}/entities.yaml:50:9; give one of them an explicit `name`",
                "NAME_COLLISION",
            )
        ],
        id="derived_field_collision",
    ),
    pytest.param(
        [("entities.yaml", "name: serial, type: char", "name: id, type: char")],
        [
            (
                "{d}/entities.yaml:51:38: entities[4].fields[2].name: 'id' is a reserved name because every Django model already has `id`; try 'id_' or 'device_id'",
                "RESERVED_NAME",
            )
        ],
        id="reserved_id",
    ),
    pytest.param(
        [("entities.yaml", "name: model_name, type: char", "name: pk, type: char")],
        [
            (
                "{d}/entities.yaml:50:30: entities[4].fields[1].name: 'pk' is a reserved name because every Django model already has `pk`; try 'pk_' or 'device_pk'",
                "RESERVED_NAME",
            )
        ],
        id="reserved_pk",
    ),
    pytest.param(
        [("entities.yaml", "    name: notification\n", "    name: objects\n")],
        [
            (
                "{d}/entities.yaml:112:11: entities[11].name: 'objects' is a reserved name because every Django model already has `objects`; try 'objects_'",
                "RESERVED_NAME",
            ),
            (
                "{d}/services.yaml:25:75: services[6].record: unknown entity 'notification'",
                "UNKNOWN_REFERENCE",
            ),
        ],
        id="reserved_objects",
    ),
    pytest.param(
        [("entities.yaml", "name: channel, type: char", "name: save, type: char")],
        [
            (
                "{d}/entities.yaml:116:32: entities[11].fields[0].name: 'save' is a reserved name because every Django model already has `save`; try 'save_' or 'notification_save'",
                "RESERVED_NAME",
            )
        ],
        id="reserved_save",
    ),
    pytest.param(
        [("entities.yaml", "name: message, type: text", "name: delete, type: text")],
        [
            (
                "{d}/entities.yaml:117:32: entities[11].fields[1].name: 'delete' is a reserved name because every Django model already has `delete`; try 'delete_' or 'notification_delete'",
                "RESERVED_NAME",
            )
        ],
        id="reserved_delete",
    ),
    pytest.param(
        [("entities.yaml", "name: sent, type: boolean", "name: class, type: boolean")],
        [
            (
                "{d}/entities.yaml:118:29: entities[11].fields[2].name: 'class' is a Python keyword, which generated code cannot use as a name; try 'class_' or 'notification_class'",
                "RESERVED_NAME",
            )
        ],
        id="reserved_class",
    ),
    pytest.param(
        [("entities.yaml", "    name: invoice\n", "    name: Meta\n")],
        [
            (
                "{d}/entities.yaml:102:11: entities[10].name: 'Meta' is a reserved name because every Django model already has `Meta`; try 'meta_'",
                "RESERVED_NAME",
            ),
            (
                "{d}/services.yaml:24:53: services[5].record: unknown entity 'invoice' (did you mean 'device'?)",
                "UNKNOWN_REFERENCE",
            ),
        ],
        id="reserved_meta",
    ),
    pytest.param(
        [("entities.yaml", "name: paid, type: boolean", "name: import, type: boolean")],
        [
            (
                "{d}/entities.yaml:108:29: entities[10].fields[1].name: 'import' is a Python keyword, which generated code cannot use as a name; try 'import_' or 'invoice_import'",
                "RESERVED_NAME",
            )
        ],
        id="python_keyword",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "{label: Paid, name: paid, type: boolean",
                "{label: Lambda, type: boolean",
            )
        ],
        [
            (
                "{d}/entities.yaml:108:17: entities[10].fields[1].label: label 'Lambda' derives the name 'lambda': 'lambda' is a Python keyword, which generated code cannot use as a name; try 'lambda_' or 'invoice_lambda'; give it an explicit `name`",
                "RESERVED_NAME",
            )
        ],
        id="derived_keyword",
    ),
    pytest.param(
        [("entities.yaml", "    name: notification\n", "    name: operator\n")],
        [
            (
                "{d}/entities.yaml:112:11: entities[11].name: 'operator' is a built-in entity name",
                "RESERVED_NAME",
            ),
            (
                "{d}/services.yaml:25:75: services[6].record: unknown entity 'notification'",
                "UNKNOWN_REFERENCE",
            ),
        ],
        id="builtin_entity_name",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "{label: Large invoice, name: large_invoice,",
                "{label: Large invoice, name: completed,",
            )
        ],
        [
            (
                "{d}/services.yaml:48:43: services[9].rules[7].event: unknown event 'large_invoice'",
                "UNKNOWN_REFERENCE",
            ),
            (
                "{d}/services.yaml:55:34: events[0].name: 'completed' is a built-in event name",
                "RESERVED_NAME",
            ),
        ],
        id="builtin_event_name",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "expression: 'quantity * unit_price'",
                "expression: 'quantity * * unit_price'",
            )
        ],
        [
            (
                "{d}/entities.yaml:90:87: entities[8].fields[3].expression: syntax error in computed field expression 'quantity * * unit_price': invalid expression: invalid syntax",
                "EXPRESSION_SYNTAX",
            )
        ],
        id="expression_syntax",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "expression: 'quantity * unit_price'",
                "expression: 'quantity * unit_prise'",
            )
        ],
        [
            (
                "{d}/entities.yaml:90:87: entities[8].fields[3].expression: unknown name 'unit_prise' in computed field expression 'quantity * unit_prise' (did you mean 'unit_price'?)",
                "EXPRESSION_NAME",
            )
        ],
        id="expression_unknown_name",
    ),
    pytest.param(
        [("services.yaml", "expression: 'form.amount > 1000'", "expression: 'farm.amount > 1000'")],
        [
            (
                "{d}/services.yaml:55:62: events[0].expression: unknown name 'farm' in event expression 'farm.amount > 1000' (did you mean 'form'?)",
                "EXPRESSION_NAME",
            )
        ],
        id="event_expression_unknown_name",
    ),
    pytest.param(
        [("services.yaml", "duration: PT15M", "duration: 15m")],
        [
            (
                "{d}/services.yaml:2:108: services[0].duration: invalid ISO 8601 duration '15m' (examples: 'PT30M', 'PT1H', 'P3D', 'P1DT2H')",
                "INVALID_DURATION",
            )
        ],
        id="bad_duration",
    ),
    pytest.param(
        [("services.yaml", "backoff: PT1M", "backoff: PT")],
        [
            (
                "{d}/services.yaml:50:113: services[9].rules[9].params.backoff: invalid ISO 8601 duration 'PT' (examples: 'PT30M', 'PT1H', 'P3D', 'P1DT2H')",
                "INVALID_DURATION",
            )
        ],
        id="bad_backoff",
    ),
    pytest.param(
        [("services.yaml", "after: PT2H", "after: P")],
        [
            (
                "{d}/services.yaml:56:64: events[1].timer.after: invalid ISO 8601 duration 'P' (examples: 'PT30M', 'PT1H', 'P3D', 'P1DT2H')",
                "INVALID_DURATION",
            )
        ],
        id="bad_timer_after",
    ),
    pytest.param(
        [("services.yaml", "timer: {after: PT2H, of: started}", "timer: {cron: '0 25 * * *'}")],
        [
            (
                "{d}/services.yaml:56:63: events[1].timer.cron: invalid cron: hour: 25 is out of range 0-23",
                "INVALID_CRON",
            )
        ],
        id="bad_cron",
    ),
    pytest.param(
        [("services.yaml", "instruction: terminate_process", "instruction: terminate_proces")],
        [
            (
                "{d}/services.yaml:52:65: services[9].rules[11].instruction: unknown instruction 'terminate_proces' (did you mean 'terminate_process'?)",
                "INVALID_INSTRUCTION",
            )
        ],
        id="unknown_instruction",
    ),
    pytest.param(
        [("services.yaml", "params: {threads: 2}", "params: {thread: 2}")],
        [
            (
                "{d}/services.yaml:32:110: services[8].rules[0].params.thread: start_parallel_service has no parameter 'thread' (did you mean 'threads'?)",
                "INVALID_PARAMS",
            )
        ],
        id="unknown_param",
    ),
    pytest.param(
        [("services.yaml", "max_retries: 3", "max_retries: -1")],
        [
            (
                "{d}/services.yaml:50:101: services[9].rules[9].params.max_retries: max_retries must be a non-negative integer",
                "INVALID_PARAMS",
            )
        ],
        id="bad_max_retries",
    ),
    pytest.param(
        [("services.yaml", "params: {scope: tree}", "params: {scope: all}")],
        [
            (
                "{d}/services.yaml:52:100: services[9].rules[11].params.scope: scope must be self or tree, not 'all'",
                "INVALID_PARAMS",
            )
        ],
        id="bad_scope",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "instruction: start_service, operand: write_quote}",
                "instruction: start_service}",
            )
        ],
        [
            (
                "{d}/services.yaml:33:9: services[8].rules[1]: start_service needs an `operand` (the service it starts)",
                "MISSING",
            ),
            (
                "{d}/services.yaml:34:19: services[8].rules[2].service: rule service 'write_quote' is neither the program 'diagnosis' nor a service its rules start",
                "INVALID_VALUE",
            ),
        ],
        id="missing_operand",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "instruction: calling_return, params",
                "instruction: calling_return, operand: inspect, params",
            )
        ],
        [
            (
                "{d}/services.yaml:34:79: services[8].rules[2].operand: calling_return takes no operand",
                "INVALID_PARAMS",
            )
        ],
        id="forbidden_operand",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "{service: inspect, event: children_completed",
                "{service: repair_device, event: children_completed",
            )
        ],
        [
            (
                "{d}/services.yaml:33:19: services[8].rules[1].service: rule service 'repair_device' is neither the program 'diagnosis' nor a service its rules start",
                "INVALID_VALUE",
            )
        ],
        id="rule_service_not_in_program",
    ),
    pytest.param(
        [("services.yaml", "event: quote_overdue,", "event: quote_overdu,")],
        [
            (
                "{d}/services.yaml:46:41: services[9].rules[5].event: unknown event 'quote_overdu' (did you mean 'quote_overdue'?)",
                "UNKNOWN_REFERENCE",
            )
        ],
        id="unknown_event",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "operand: return_device, mode: decision, params: {decided_by: [front_desk]}}",
                "operand: return_device, mode: decision}",
            )
        ],
        [
            (
                "{d}/services.yaml:45:9: services[9].rules[4]: mode: decision needs params.decided_by (roles)",
                "MISSING",
            )
        ],
        id="decision_without_decided_by",
    ),
    pytest.param(
        [("services.yaml", "params: {returns: [total]}", "params: {returns: [totl]}")],
        [
            (
                "{d}/services.yaml:34:98: services[8].rules[2].params.returns[0]: unknown field 'totl' of 'quote' (did you mean 'total'?)",
                "UNKNOWN_REFERENCE",
            )
        ],
        id="unknown_returns_field",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "      - {label: Customer, value: entity.full_name}\n      - {label: Task, value: service.label}\n      - {label: Due",
                "      - {label: Customer, value: entity.full_nam}\n      - {label: Task, value: service.label}\n      - {label: Due",
            )
        ],
        [
            (
                "{d}/services.yaml:81:34: views[0].columns[0].value: invalid path 'entity.full_nam': unknown name 'full_nam' (did you mean 'full_name'?)",
                "INVALID_PATH",
            )
        ],
        id="bad_view_path",
    ),
    pytest.param(
        [("services.yaml", "{label: State, value: state}", "{label: State, value: service._meta}")],
        [
            (
                "{d}/services.yaml:91:31: views[1].columns[2].value: invalid path 'service._meta': underscore-prefixed names are never reachable",
                "INVALID_PATH",
            )
        ],
        id="underscore_view_path",
    ),
    pytest.param(
        [("extra.yaml", "", "tenant: {name: other, label: Other}\n")],
        [
            (
                "{d}/tenant.yaml:2:1: tenant: section 'tenant' must appear exactly once (already defined at {d}/extra.yaml:1:1)",
                "DUPLICATE",
            )
        ],
        id="duplicate_tenant_section",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "{label: Workbench, name: workbench, kind: equipment,",
                "{label: Workbench, name: workbench, kind: equipment, kind: device,",
            )
        ],
        [
            (
                "{d}/services.yaml:70:58: resources[0].kind: duplicate key 'kind' in one mapping",
                "DUPLICATE",
            )
        ],
        id="duplicate_yaml_key",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "choices: [phone, email, sms], default: phone}",
                "choices: [phone, email, sms], default: fax}",
            )
        ],
        [
            (
                "{d}/entities.yaml:31:112: entities[2].fields[3].default: default 'fax' is not one of the choices (phone, email, sms)",
                "INVALID_VALUE",
            )
        ],
        id="default_not_in_choices",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "type: integer, min: 1, default: 1}",
                "type: integer, min: 1, default: one}",
            )
        ],
        [
            (
                "{d}/entities.yaml:88:75: entities[8].fields[1].default: default must be an integer (the field is integer)",
                "INVALID_VALUE",
            )
        ],
        id="default_wrong_type",
    ),
    pytest.param(
        [("entities.yaml", "pattern: '^[0-9+\\- ]{5,20}$'", "pattern: '^[0-9+\\- {5,20}$'")],
        [
            (
                "{d}/entities.yaml:3:70: fields[1].pattern: invalid regular expression: unterminated character set at position 1",
                "INVALID_VALUE",
            )
        ],
        id="bad_pattern",
    ),
    pytest.param(
        [("entities.yaml", "inlines: [quote_line]", "inlines: [device]")],
        [
            (
                "{d}/entities.yaml:130:15: forms[0].inlines[0]: inline 'device' is not part_of 'quote'",
                "INVALID_VALUE",
            )
        ],
        id="inline_not_part_of",
    ),
    pytest.param(
        [("tenant.yaml", "  name: repair_shop", "  name: api")],
        [
            (
                "{d}/tenant.yaml:3:9: tenant.name: 'api' is reserved for the platform's own URLs; choose another tenant name",
                "RESERVED_NAME",
            )
        ],
        id="reserved_tenant_name",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "list: [number, full_name, phone]",
                "list: [number, full_name, phone_no]",
            )
        ],
        [
            (
                "{d}/entities.yaml:33:31: entities[2].list[2]: unknown field 'phone_no' of 'customer' (did you mean 'phone'?)",
                "UNKNOWN_REFERENCE",
            )
        ],
        id="unknown_list_field",
    ),
    pytest.param(
        [("entities.yaml", "    rows: [Phone, Laptop, Tablet, Console]\n", "")],
        [("{d}/entities.yaml:9:5: entities[0]: a dict entity needs `rows`", "MISSING")],
        id="dict_without_rows",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                ", type: computed, expression: 'quantity * unit_price'}",
                ", type: computed}",
            )
        ],
        [
            (
                "{d}/entities.yaml:90:9: entities[8].fields[3]: a computed field needs an `expression`",
                "MISSING",
            )
        ],
        id="computed_without_expression",
    ),
    pytest.param(
        [("entities.yaml", "type: ref, to: operator}", "type: ref}")],
        [
            (
                "{d}/entities.yaml:98:9: entities[9].fields[1]: a ref field needs `to` (an entity or built-in entity)",
                "MISSING",
            )
        ],
        id="ref_without_to",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "{label: Ben, name: ben, roles: [technician]}",
                "{label: Ben, name: ben, roles: [technican]}",
            )
        ],
        [
            (
                "{d}/services.yaml:65:37: operators[1].roles[0]: unknown role 'technican' (did you mean 'technician'?)",
                "UNKNOWN_REFERENCE",
            )
        ],
        id="unknown_operator_role",
    ),
    pytest.param(
        [("services.yaml", "kind: device, capacity: 1}", "kind: device, capacity: 0}")],
        [
            (
                "{d}/services.yaml:71:81: resources[1].capacity: capacity must be a positive integer",
                "INVALID_VALUE",
            )
        ],
        id="bad_capacity",
    ),
    pytest.param(
        [
            (
                "services.yaml",
                "params: {to: manager, priority: 5}",
                "params: {to: boss, priority: 5}",
            )
        ],
        [
            (
                "{d}/services.yaml:46:100: services[9].rules[5].params.to: unknown role or operator 'boss'",
                "UNKNOWN_REFERENCE",
            )
        ],
        id="bad_escalate_to",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "  - label: Customer\n    name: customer",
                '  - label: "Cust\\0omer"\n    name: customer',
            )
        ],
        [
            (
                "{d}/entities.yaml:23:12: entities[2].label: a label must not contain control characters; character 5 is '\\x00' (a NUL or similar byte, often pasted from another program)",
                "INVALID_VALUE",
            )
        ],
        id="nul_in_label",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "{label: Email, name: email, type: char, max_length: 120}",
                "{label: Email, name: email, type: char, max_length: 120, pattern: '^[^@]+@[^@]+$', default: none}",
            )
        ],
        [
            (
                "{d}/entities.yaml:4:97: fields[2].default: default 'none' does not match the field's pattern '^[^@]+@[^@]+$': every new row would fail validation",
                "INVALID_VALUE",
            )
        ],
        id="default_breaks_pattern",
    ),
    pytest.param(
        [
            (
                "entities.yaml",
                "    kind: model\n    naming: 'C-{#####}'",
                "    kind: model\n      naming: 'C-{#####}'",
            )
        ],
        [
            (
                "{d}/entities.yaml:26:13: YAML syntax error: mapping values are not allowed in this context; check the indentation of this line and the one above (a `key: value` indented under a key that already has a value), or quote a value that contains ': '",
                "YAML_SYNTAX",
            )
        ],
        id="yaml_indentation_hint",
    ),
]


def _errors(folder: Path) -> list[tuple[str, str]]:
    spec, errors = validate_raw(read_spec_folder(folder))
    assert spec is None
    return [(str(e), e.code.name) for e in errors]


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_broken_spec_reports_exactly(tmp_path, edits, expected):
    folder = broken_copy(tmp_path, edits)
    before = folder_digest(folder)
    assert _errors(folder) == [(line.replace("{d}", str(folder)), code) for line, code in expected]
    with pytest.raises(SpecInvalid):
        validate_folder(folder)
    assert folder_digest(folder) == before  # validation never writes


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30


def test_all_errors_in_one_run(tmp_path):
    edits = [
        edit
        for case in CASES
        for edit in case.values[0]
        if case.id
        in (
            "unknown_reference",
            "is_a_cycle",
            "reserved_id",
            "expression_unknown_name",
            "bad_duration",
            "unknown_instruction",
            "bad_view_path",
            "bad_cron",
        )
    ]
    folder = broken_copy(tmp_path, edits)
    codes = [code for _, code in _errors(folder)]
    assert sorted(codes) == sorted(
        [
            "UNKNOWN_REFERENCE",
            "CYCLE",
            "RESERVED_NAME",
            "EXPRESSION_NAME",
            "INVALID_DURATION",
            "INVALID_INSTRUCTION",
            "INVALID_PATH",
            "INVALID_CRON",
        ]
    )


def test_errors_are_sorted_by_location(tmp_path):
    edits = [
        ("services.yaml", "duration: PT15M", "duration: 15m"),
        ("entities.yaml", "to: device_type, required: true}", "to: nope, required: true}"),
        ("services.yaml", "instruction: terminate_process", "instruction: stop"),
    ]
    folder = broken_copy(tmp_path, edits)
    locations = [line.split(": ", 1)[0] for line, _ in _errors(folder)]
    keys = [
        (loc.rsplit(":", 2)[0], int(loc.rsplit(":", 2)[1]), int(loc.rsplit(":", 2)[2]))
        for loc in locations
    ]
    assert keys == sorted(keys) and len(keys) == 3


@pytest.mark.django_db
def test_spec_load_writes_nothing_for_a_broken_spec(tmp_path, repair_shop_spec_dir):
    from django.apps import apps

    from design.services import spec_load

    spec_load(folder=repair_shop_spec_dir)
    design_models = [
        *apps.get_app_config("core").get_models(),  # the tenant row
        *apps.get_app_config("design").get_models(),
    ]

    def snapshot() -> dict[str, list]:
        return {m.__name__: sorted(map(str, m.objects.values_list())) for m in design_models}

    before = snapshot()
    assert before["Tenant"], "the clean spec was loaded"
    for case in CASES:
        folder = broken_copy(tmp_path / case.id, case.values[0])
        digest = folder_digest(folder)
        with pytest.raises(SpecInvalid) as info:
            spec_load(folder=folder)
        assert info.value.errors, case.id
        assert snapshot() == before, case.id
        assert folder_digest(folder) == digest, case.id


def test_codes_are_spec_error_codes():
    assert {code for case in CASES for _, code in case.values[1]} <= set(SpecErrorCode.__members__)
