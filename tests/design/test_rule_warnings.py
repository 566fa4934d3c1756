"""``spec validate`` warns, located, about rules that can never work as written; exit status stays 0."""

from __future__ import annotations

import logging
from io import StringIO

from django.core.management import call_command

from design.specs.validate import validate_folder
from tests.design.specs.helpers import broken_copy

FIRST_STEP = "      - {service: repair_job, event: started, instruction: start_service, operand: intake_service}\n"


def test_validate_warns_about_rules_that_never_work(tmp_path):
    folder = broken_copy(
        tmp_path,
        [
            (
                "services.yaml",
                FIRST_STEP,
                FIRST_STEP
                + "      - {service: intake_service, event: completed, instruction: rollback_process}\n"
                + "      - {service: intake_service, event: completed, instruction: escalate_process, params: {to: manager}}\n",
            )
        ],
    )
    out, err = StringIO(), StringIO()
    call_command("spec", "validate", str(folder), stdout=out, stderr=err)  # no CommandError
    lines = err.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{folder}/services.yaml:42:9: services[9].rules[1]: warning: ")
    assert "rollback_process on 'intake_service'" in lines[0] and "starts it again" in lines[0]
    assert lines[1].startswith(f"{folder}/services.yaml:43:9: services[9].rules[2]: warning: ")
    assert "escalate_process" in lines[1]
    assert out.getvalue() == "repair_shop: OK (12 entities, 10 services, 2 warning(s))\n"


def test_a_called_sub_programs_first_step_is_not_warned_about(tmp_path):
    """diagnosis is called by repair_job: rolling back its first step returns to the intake."""
    folder = broken_copy(
        tmp_path,
        [
            (
                "services.yaml",
                "operand: inspect, params: {threads: 2}}\n",
                "operand: inspect, params: {threads: 2}}\n"
                "      - {service: inspect, event: completed, instruction: rollback_process}\n",
            )
        ],
    )
    out, err = StringIO(), StringIO()
    call_command("spec", "validate", str(folder), stdout=out, stderr=err)
    assert err.getvalue() == ""


def test_publish_logs_the_warning_and_publishes(tmp_path, caplog, db):
    from design.publish import revision_publish

    folder = broken_copy(
        tmp_path,
        [
            (
                "services.yaml",
                FIRST_STEP,
                FIRST_STEP
                + "      - {service: intake_service, event: completed, instruction: rollback_process}\n",
            )
        ],
    )
    spec = validate_folder(folder)
    with caplog.at_level(logging.WARNING, logger="design.publish"):
        revision, created = revision_publish(tenant="repair_shop", spec=spec)
    assert created and revision.rules.filter(instruction="rollback_process").exists()
    assert any("rollback_process on 'intake_service'" in r.getMessage() for r in caplog.records)
