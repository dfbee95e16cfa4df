"""Every registered model's admin pages open for a superuser, with a full cycle's rows
on them; documents that only services write offer no add, change or delete."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from catalog.models import BusinessUnit, Customer, Item, Supplier, SupplierSite, Warehouse
from invoicing.models import APInvoice
from orders.models import SalesOrder
from procurement.models import PurchaseOrder, SourcingRule
from shipping.models import PickWave
from suppliers.models import SupplierContact
from tests.admin.support import DOMAIN_APPS, admin_url, changelist_url

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
MASTER_DATA = {BusinessUnit, Warehouse, Customer, Supplier, SupplierSite, Item, SourcingRule}
# Documents a person creates: their add page calls the service that creates them.
ADDED_THROUGH_A_SERVICE = {SalesOrder, APInvoice, PickWave, SupplierContact}


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_open_for_a_superuser(client, world, full_cycle, model):
    superuser = world.users["admin"]
    client.force_login(superuser)
    model_admin = admin.site._registry[model]

    assert client.get(changelist_url(model)).status_code == 200
    if model_admin.get_search_fields(_request_as(superuser)):
        assert client.get(changelist_url(model), {"q": "SO-000001"}).status_code == 200
    if model_admin.has_add_permission(_request_as(superuser)):
        assert client.get(admin_url(model, "add")).status_code == 200
    obj = model_admin.get_queryset(_request_as(superuser)).first()
    if obj is not None:
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
        assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_every_domain_model_is_registered_but_the_historical_ones():
    from django.apps import apps

    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy:
                continue  # its rows are its concrete model's, in that model's admin
            historical = model.__name__.startswith("Historical")
            assert (model in admin.site._registry) != historical, model._meta.label


def test_only_master_data_is_edited_in_the_admin(world):
    request = _request_as(world.users["admin"])
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        can_add = model_admin.has_add_permission(request)
        can_change = model_admin.has_change_permission(request)
        can_delete = model_admin.has_delete_permission(request)
        if model in MASTER_DATA:
            assert can_add and can_change and can_delete, model._meta.label
        else:
            assert can_add == (model in ADDED_THROUGH_A_SERVICE), model._meta.label
            assert not can_change and not can_delete, model._meta.label


def test_a_document_number_finds_the_document_and_its_lines(client, world, full_cycle):
    client.force_login(world.users["admin"])
    order = full_cycle["order"]
    response = client.get(changelist_url(SalesOrder), {"q": order.number})
    assert list(response.context["cl"].result_list) == [order]
    response = client.get(changelist_url(PurchaseOrder), {"q": "PO-999999"})
    assert list(response.context["cl"].result_list) == []
    from procurement.models import PurchaseOrderLine

    response = client.get(changelist_url(PurchaseOrderLine), {"q": order.number})
    assert [line.sales_order_line.order for line in response.context["cl"].result_list] == [order]


def test_the_order_status_column_and_filter_follow_the_lines(client, world, full_cycle):
    client.force_login(world.users["admin"])
    response = client.get(changelist_url(SalesOrder), {"status": "ENTERED"})
    assert list(response.context["cl"].result_list) == [full_cycle["entered_order"]]
    response = client.get(changelist_url(SalesOrder), {"status": "BILLED"})
    assert list(response.context["cl"].result_list) == [full_cycle["order"]]
    assert "Billed" in response.content.decode()


def test_users_see_only_the_documents_of_their_business_units(
    client, world, full_cycle, make_staff_user
):
    europe_buyer = make_staff_user("eu-buyer", ["procurement.view_purchaseorder"], units=("EU1",))
    client.force_login(europe_buyer)
    response = client.get(changelist_url(PurchaseOrder))
    assert list(response.context["cl"].result_list) == []
    purchase_order = full_cycle["purchase_order"]
    assert client.get(admin_url(PurchaseOrder, "change", purchase_order.pk)).status_code == 302


def test_a_history_page_cannot_revert_a_document(client, world, full_cycle):
    client.force_login(world.users["admin"])
    purchase_order = full_cycle["purchase_order"]
    versions = purchase_order.history.count()
    first_version = purchase_order.history.earliest()
    url = admin_url(PurchaseOrder, "simple_history", purchase_order.pk, first_version.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    purchase_order.refresh_from_db()
    assert purchase_order.status == "CLOSED_FOR_RECEIVING"
    assert purchase_order.history.count() == versions


def test_master_data_edits_are_kept_in_history_with_the_user(client, world):
    superuser = world.users["admin"]
    client.force_login(superuser)
    item = world.items["CBL-CAT6-3M"]
    response = client.post(
        admin_url(Item, "change", item.pk),
        {
            "business_unit": item.business_unit_id,
            "number": item.number,
            "description": "Cat6 patch cable, 3 m, blue",
            "unit_of_measure": item.unit_of_measure,
            "list_price": "4.75",
            "currency_code": item.currency_code,
            "active": "on",
            "stocked": "on",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.description, str(item.list_price)) == ("Cat6 patch cable, 3 m, blue", "4.75")
    latest = item.history.latest()
    assert latest.history_user == superuser
    assert latest.description == "Cat6 patch cable, 3 m, blue"
