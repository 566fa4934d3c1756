"""``manage.py demo`` sets up the clinic end to end and is idempotent."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from kernel.models import Operator, Process


@pytest.mark.django_db(transaction=True)
def test_demo_loads_publishes_and_starts_programs():
    out = io.StringIO()
    call_command("demo", stdout=out)
    customers = apps.get_model("clinic", "Customer").objects.all()
    assert customers.count() == 3
    programs = Process.objects.filter(
        tenant__name="clinic", parent=None, service__name="customer_service"
    )
    assert programs.count() == 3
    # the program's first task (new appointment) is waiting for a receptionist
    assert (
        Process.objects.filter(tenant__name="clinic", service__name="new_appointment").count() == 3
    )
    operators = Operator.objects.filter(tenant__name="clinic").select_related("user")
    people = [op for op in operators if op.name != "system_bot"]
    assert people and all(op.user.has_usable_password() for op in people)
    # the system bot (only system services) cannot log in at all
    assert not operators.get(name="system_bot").user.has_usable_password()

    # each login's password is printed once, and no two logins share one
    printed = dict(re.findall(r"^\s+(\S+)\s.*: password (\S+)$", out.getvalue(), re.M))
    assert set(printed) == {"admin", *(op.user.username for op in people)}
    assert len(set(printed.values())) == len(printed)
    xiaolin = operators.get(name="xiaolin").user
    assert xiaolin.check_password(printed["clinic.xiaolin"])

    again = io.StringIO()
    call_command("demo", stdout=again)  # a second run adds nothing and shows no password
    assert customers.count() == 3
    assert programs.count() == 3
    assert ": password " not in again.getvalue()
