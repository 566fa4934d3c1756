"""Publish: design DB -> revision rows, people and resources upserted, unchanged spec -> no revision."""

import pytest
from django.core.management import CommandError, call_command

from design.publish import revision_publish
from design.services import spec_load
from kernel.errors import KernelError, KernelErrorCode
from kernel.models import EventDef, Operator, Resource, Revision, Role, RuleDef, ServiceDef, ViewDef

pytestmark = pytest.mark.django_db


def test_publish_from_the_design_db(repair_shop_spec_dir, capsys):
    spec_load(folder=repair_shop_spec_dir)
    call_command("publish", "repair_shop")
    assert "published revision 1" in capsys.readouterr().out
    revision = Revision.objects.get(tenant__name="repair_shop")
    quote = ServiceDef.objects.get(revision=revision, name="write_quote")
    assert (quote.record, quote.serves, quote.form) == (
        "repair_shop.quote",
        "repair_shop.customer",
        "quote_form",
    )
    assert set(quote.roles) == {"technician", "manager"}
    intake = ServiceDef.objects.get(revision=revision, name="intake_service")
    assert intake.schedule_field == "dropped_off_at" and intake.duration.total_seconds() == 900
    assert ServiceDef.objects.get(revision=revision, name="repair_job").is_program
    rules = list(RuleDef.objects.filter(revision=revision, program="repair_job").order_by("order"))
    assert rules[0].event == "started" and rules[3].mode == "decision"
    assert EventDef.objects.get(revision=revision, name="quote_overdue").timer["after"] == "PT2H"
    assert ViewDef.objects.filter(revision=revision).count() == 2
    assert set(Role.objects.filter(tenant__name="repair_shop").values_list("name", flat=True)) == {
        "front_desk",
        "technician",
        "manager",
    }
    ana = Operator.objects.get(tenant__name="repair_shop", name="ana")
    assert not ana.user.has_usable_password() and list(
        ana.roles.values_list("name", flat=True)
    ) == ["front_desk"]
    assert Resource.objects.filter(tenant__name="repair_shop").count() == 5

    call_command("publish", "repair_shop")
    assert "unchanged, revision 1" in capsys.readouterr().out
    assert Revision.objects.filter(tenant__name="repair_shop").count() == 1
    assert Operator.objects.filter(tenant__name="repair_shop").count() == 4


def test_missing_tenant_is_a_clear_error(settings, tmp_path):
    settings.META_SPECS_DIR = tmp_path
    with pytest.raises(KernelError) as err:
        revision_publish(tenant="nowhere")
    assert err.value.code == KernelErrorCode.SPEC_MISSING
    with pytest.raises(CommandError, match="spec_missing"):
        call_command("publish", "nowhere")


def test_loads_the_meta_specs_folder_when_the_design_db_is_empty():
    revision, created = revision_publish(tenant="clinic")
    assert (
        created and ServiceDef.objects.filter(revision=revision, name="customer_service").exists()
    )
