"""``manage.py demo`` sets up the clinic end to end and is idempotent."""

import pytest
from django.apps import apps
from django.core.management import call_command

from kernel.models import Operator, Process


@pytest.mark.django_db(transaction=True)
def test_demo_loads_publishes_and_starts_programs():
    call_command("demo", verbosity=0)
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
    assert operators.exists()
    assert all(op.user is not None and op.user.has_usable_password() for op in operators)

    call_command("demo", verbosity=0)  # a second run adds nothing
    assert customers.count() == 3
    assert programs.count() == 3
