"""Every meta-model row has a stable erpsys_id; labelled ones also carry pinyin initials."""

import pytest
from django.apps import apps

from design.models import ServiceRule, ViewColumn
from design.services import spec_load

# Pure link tables (ordered many-to-many through-tables) are not meta-models of their own.
LINK_TABLES = {"ServiceRole", "RoleService", "OperatorRole"}
# The designer's own bookkeeping (jobs, last sync, publish history) is not part of any spec.
DESIGNER_RECORDS = {"DesignJob", "SpecSync", "PublishRecord"}


def test_every_meta_model_has_erpsys_id_and_labelled_ones_pym():
    for model in apps.get_app_config("design").get_models():
        if model.__name__ in LINK_TABLES | DESIGNER_RECORDS:
            continue
        names = {f.name for f in model._meta.get_fields()}
        assert "erpsys_id" in names, model.__name__
        assert model._meta.get_field("erpsys_id").unique, model.__name__
        if "label" in names:
            assert "pym" in names, model.__name__


@pytest.mark.django_db
def test_reloading_keeps_the_ids_of_rules_and_columns(repair_shop_spec_dir):
    spec_load(folder=repair_shop_spec_dir)
    rules = dict(ServiceRule.objects.values_list("pk", "erpsys_id"))
    columns = dict(ViewColumn.objects.values_list("pk", "erpsys_id"))
    assert len(set(rules.values())) == len(rules) > 0
    assert ViewColumn.objects.get(label="Customer", view__name="public_tasks").pym == "c"

    spec_load(folder=repair_shop_spec_dir)
    assert dict(ServiceRule.objects.values_list("pk", "erpsys_id")) == rules
    assert dict(ViewColumn.objects.values_list("pk", "erpsys_id")) == columns
