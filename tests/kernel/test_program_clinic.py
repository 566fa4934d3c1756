"""End to end: the clinic's standard program with its sub-programs, iteration, timers and decision."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from design.publish import revision_publish
from design.services import spec_load
from kernel import services
from kernel.actions import OUTBOX
from kernel.models import Decision, Process, Resource
from kernel.timers import timers_tick
from tests.kernel.helpers import live, operator

pytestmark = pytest.mark.django_db


def model(name: str):
    return apps.get_model("clinic", name)


@pytest.fixture
def clinic(clinic_spec_dir, django_capture_on_commit_callbacks):
    spec_load(folder=clinic_spec_dir)
    revision, created = revision_publish(tenant="clinic")
    assert created and revision.number == 1
    customer = model("Customer").objects.create(full_name="李女士", phone="13800000000")
    OUTBOX.clear()

    def act(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(**kwargs)

    return customer, act


def walk_to_payment(customer, act, scheduled_at):
    """customer_service up to the payment task; returns (program, payment process)."""
    xiaolin, wang = operator("clinic", "xiaolin"), operator("clinic", "dr_wang")
    program = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=customer,
        operator=xiaolin,
    )
    appointment = {"full_name": "李女士", "scheduled_at": scheduled_at}
    act(
        services.task_complete,
        process=live(program, "new_appointment"),
        operator=xiaolin,
        data=appointment,
    )
    reminder = live(program, "arrival_reminder")
    assert reminder.scheduled_time == scheduled_at
    assert (
        Process.objects.get(root=program, service__name="remind_appointment").state == "TERMINATED"
    )
    act(services.task_complete, process=reminder, operator=xiaolin, data=appointment)

    program.refresh_from_db()
    assert program.state == "WAITING"
    act(
        services.task_complete,
        process=live(program, "arrival_confirmation"),
        operator=xiaolin,
        data=appointment,
    )
    act(services.task_complete, process=live(program, "maintain_profile"), operator=xiaolin)
    act(
        services.task_complete,
        process=live(program, "health_survey"),
        operator=xiaolin,
        data={"full_name": "李女士"},
    )
    reception = Process.objects.get(root=program, service__name="reception")
    assert reception.state == "TERMINATED"

    face = live(program, "face_assessment")
    act(services.task_claim, process=face, operator=wang)
    act(services.task_suspend, process=face, operator=wang)  # suspended -> call skin_check
    skin = live(program, "skin_check")
    assert (skin.caller_id, skin.parent_id) == (face.pk, face.pk)
    act(services.task_complete, process=skin, operator=wang, data={"chief_complaint": "色斑"})
    botox, hifu = (
        apps.get_model("kernel", "Service").objects.get(tenant__name="clinic", name=n)
        for n in ("botox_treatment", "hifu_treatment")
    )
    act(
        services.task_complete,
        process=live(program, "diagnosis_plan"),
        operator=wang,
        data={"recommended_services": [botox.pk, hifu.pk]},
    )
    consultation = Process.objects.get(root=program, service__name="consultation")
    face.refresh_from_db()
    assert consultation.state == "TERMINATED" and face.state == "TERMINATED"
    program.refresh_from_db()
    assert program.state == "RUNNING"
    assert [s["name"] for s in program.context["recommended_services"]] == [
        "botox_treatment",
        "hifu_treatment",
    ]
    return program, live(program, "payment")


def test_standard_program_iteration_timers(clinic):
    customer, act = clinic
    xiaolin, wang, li = (operator("clinic", n) for n in ("xiaolin", "dr_wang", "nurse_li"))
    scheduled_at = timezone.now() + timedelta(hours=1)
    program = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=customer,
        operator=xiaolin,
    )
    act(
        services.task_complete,
        process=live(program, "new_appointment"),
        operator=xiaolin,
        data={"full_name": "李女士", "scheduled_at": scheduled_at},
    )
    # 30 minutes past the appointment nobody has confirmed: escalate to the manager, send a WeCom note.
    with_timer = act(timers_tick, now=scheduled_at + timedelta(minutes=31))
    assert with_timer >= 1
    reminder = live(program, "arrival_reminder")
    assert (reminder.priority, reminder.assigned_role) == (5, "manager")
    assert (
        Process.objects.get(root=program, service__name="send_wecom_notification").state
        == "TERMINATED"
    )
    assert {name for name, _pid, _payload in OUTBOX} >= {
        "remind_appointment",
        "send_wecom_notification",
    }
    services.task_cancel(process=program, operator=operator("clinic", "manager_zhang"))


def test_full_visit_with_treatment_iteration_and_follow_up(clinic):
    customer, act = clinic
    wang, li, xiaolin = (operator("clinic", n) for n in ("dr_wang", "nurse_li", "xiaolin"))
    program, payment = walk_to_payment(customer, act, timezone.now() + timedelta(days=1))
    cash = model("ChargeType").objects.create(label="现金")
    botox_stock = Resource.objects.get(tenant__name="clinic", name="botox").quantity
    act(
        services.task_complete,
        process=payment,
        operator=xiaolin,
        data={"receivable": Decimal("3000"), "charge_type": cash.pk},
    )

    first = live(program, "treatment")
    assert first.context["item"]["name"] == "botox_treatment" and first.context["index"] == 0
    act(
        services.task_complete,
        process=live(program, "botox_treatment"),
        operator=wang,
        data={"treatment_area": "额头"},
    )
    assert Resource.objects.get(tenant__name="clinic", name="botox").quantity < botox_stock
    second = live(program, "treatment")
    assert second.context["item"]["name"] == "hifu_treatment" and second.previous_id == first.pk
    act(
        services.task_complete,
        process=live(program, "hifu_treatment"),
        operator=wang,
        data={"treatment_area": "面部"},
    )

    program.refresh_from_db()
    assert program.state == "TERMINATED"  # treatment children_completed -> calling_return
    aftercares = Process.objects.filter(root=program, service__name="aftercare")
    assert [p.state for p in aftercares] == ["RUNNING", "RUNNING"]
    fired = act(timers_tick, now=timezone.now() + timedelta(days=4))
    assert fired >= 2
    for follow in Process.objects.filter(root=program, service__name="follow_up"):
        act(services.task_complete, process=follow, operator=li, data={"content": "恢复良好"})
    assert set(Process.objects.filter(root=program).values_list("state", flat=True)) == {
        "TERMINATED"
    }
    assert Process.objects.filter(root=program, service__name="remind_follow_up").count() == 2


def test_large_charge_needs_the_managers_decision(clinic):
    customer, act = clinic
    xiaolin, zhang = operator("clinic", "xiaolin"), operator("clinic", "manager_zhang")
    program, payment = walk_to_payment(customer, act, timezone.now() + timedelta(days=1))
    card = model("ChargeType").objects.create(label="刷卡")
    act(
        services.task_complete,
        process=payment,
        operator=xiaolin,
        data={"receivable": Decimal("8000"), "charge_type": card.pk},
    )
    decision = Decision.objects.get(process=payment)
    assert decision.state == "OPEN" and decision.decided_by == ["manager"]
    assert not Process.objects.filter(root=program, service__name="treatment").exists()
    from kernel.errors import KernelError

    treat = decision.candidates.get(instruction="start_iteration_service")
    with pytest.raises(KernelError):
        services.decision_answer(decision=decision, rule=treat, operator=xiaolin)
    act(services.decision_answer, decision=decision, rule=treat, operator=zhang)
    decision.refresh_from_db()
    assert decision.state == "ANSWERED" and decision.answered_by == zhang
    assert live(program, "treatment").context["item"]["name"] == "botox_treatment"


def test_health_survey_correction_rolls_back_to_the_profile(clinic):
    """rollback_process: a survey that finds the profile wrong reopens 维护客户档案, then is redone."""
    customer, act = clinic
    xiaolin = operator("clinic", "xiaolin")
    program = act(
        services.process_start,
        tenant="clinic",
        program="customer_service",
        entity=customer,
        operator=xiaolin,
    )
    appointment = {"full_name": "李女士", "scheduled_at": timezone.now() + timedelta(hours=2)}
    for step in ("new_appointment", "arrival_reminder", "arrival_confirmation"):
        act(services.task_complete, process=live(program, step), operator=xiaolin, data=appointment)
    profile = live(program, "maintain_profile")
    act(services.task_complete, process=profile, operator=xiaolin)
    survey = live(program, "health_survey")
    assert survey.previous_id == profile.pk

    act(
        services.task_complete,
        process=survey,
        operator=xiaolin,
        data={"full_name": "李女士", "profile_needs_correction": True},
    )
    survey.refresh_from_db()
    profile.refresh_from_db()
    reception = Process.objects.get(root=program, service__name="reception")
    assert survey.state == "TERMINATED"
    assert profile.state == "READY"  # reopened for the receptionist
    assert reception.state != "TERMINATED"  # the sub-program did not return

    act(services.task_complete, process=profile, operator=xiaolin)
    second = live(program, "health_survey")
    assert second.pk != survey.pk
    act(services.task_complete, process=second, operator=xiaolin, data={"full_name": "李女士"})
    reception.refresh_from_db()
    assert reception.state == "TERMINATED"
    assert live(program, "face_assessment").state in {"NEW", "READY"}  # on to the consultation
    surveys = model("HealthSurvey").objects.filter(master=customer)
    assert [s.profile_needs_correction for s in surveys.order_by("pk")] == [True, False]
