"""Entity names and generated models map both ways, exactly."""

from django.db import models
from django.test.utils import isolate_apps

from applications.tenancy import entity_model, entity_name_of
from kernel.models import Operator


def test_entity_model_finds_the_generated_model_or_none():
    model = entity_model("repair_shop", "business_customer")
    assert model is not None and model.__name__ == "BusinessCustomer"
    assert entity_model("repair_shop", "no_such_entity") is None
    assert entity_model("no_such_tenant", "customer") is None


def test_entity_name_round_trips_through_the_table_name():
    for name in ("business_customer", "quote_line", "device_type"):
        assert entity_name_of(entity_model("repair_shop", name)) == name
    assert entity_name_of(Operator) == "operator"  # built-in entities keep their names too


@isolate_apps("generated.repair_shop")
def test_entity_name_is_exact_where_un_camel_casing_would_not_be():
    class HttpServer2(models.Model):  # from the spec name http_server_2
        class Meta:
            app_label = "repair_shop"
            db_table = "repair_shop_http_server_2"

    assert entity_name_of(HttpServer2) == "http_server_2"
