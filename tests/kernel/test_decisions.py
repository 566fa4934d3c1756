"""Decisions: one decision task per (service, event); answered by a person or a registered decider."""

import pytest

from kernel import services
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import Decision
from tests.kernel.helpers import complete, live, operator, publish, rule, start, states, tiny_spec

pytestmark = pytest.mark.django_db

RULES = [
    rule("job", "started", "start_service", "a"),
    rule(
        "a", "completed", "start_service", "yes", mode="decision", params={"decided_by": ["boss"]}
    ),
    rule("a", "completed", "start_service", "no", mode="decision", params={"decided_by": ["boss"]}),
]


def pick_no(decision):
    return decision.candidates.get(operand="no")


def test_person_answers(settings):
    publish(tiny_spec("t_dec", programs={"job": RULES}, tasks=["a", "yes", "no"]))
    job = start("t_dec", "job")
    complete(live(job, "a"))
    decision = Decision.objects.get()
    assert decision.state == "OPEN" and decision.candidates.count() == 2
    yes = decision.candidates.get(operand="yes")
    with pytest.raises(KernelError) as err:
        services.decision_answer(decision=decision, rule=yes, operator=operator("t_dec", "wanda"))
    assert err.value.code == KernelErrorCode.NOT_PERMITTED
    services.decision_answer(decision=decision, rule=yes, operator=operator("t_dec", "bea"))
    assert states(job, "yes") == ["READY"] and states(job, "no") == []
    with pytest.raises(KernelError) as err:
        services.decision_answer(decision=decision, rule=yes, operator=operator("t_dec", "bea"))
    assert err.value.code == KernelErrorCode.DECISION_CLOSED


def test_registered_decider_answers_at_once(settings):
    settings.ERPSYS = {**settings.ERPSYS, "DECIDER": f"{__name__}.pick_no"}
    publish(tiny_spec("t_dec2", programs={"job": RULES}, tasks=["a", "yes", "no"]))
    job = start("t_dec2", "job")
    complete(live(job, "a"))
    decision = Decision.objects.get()
    assert decision.state == "ANSWERED" and decision.answered_by is None
    assert states(job, "no") == ["READY"] and states(job, "yes") == []
