"""The admin's business-unit wall (issue 9): a staff user of EU1, in any role, reaches no
US1 row through any admin page: change lists, change, history, history version, delete,
add-form choices, list filters and autocomplete. Master data of US1 cannot be changed
from EU1, and shared master data only by an administrator."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.forms import ModelChoiceField
from django.urls import NoReverseMatch, reverse

from b2b_portal.admin_units import SHARED, UnitScopedMixin
from b2b_portal.roles import ROLES
from catalog.models import BusinessUnit, Customer, Item, Supplier, SupplierSite, Warehouse
from catalog.units import scope_to_units
from procurement.models import SourcingRule
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db

WORKBENCH_ROLES = [role for role in ROLES if role != "Administrator"]


def staff_of_unit(world, role: str, unit: str, *permissions: str):
    """A staff user holding ``role`` who works in ``unit`` only."""
    user = get_user_model().objects.create_user(
        username=f"{unit}-{role}".lower().replace(" ", "-"), password="x", is_staff=True
    )
    user.groups.set(Group.objects.filter(name=role))
    for label in permissions:
        app_label, codename = label.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    world.units[unit].members.add(user)
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def unit_scoped_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, UnitScopedMixin) and model_admin.business_unit_path is not SHARED
    ]


def us1_rows(world, model, model_admin):
    """The rows of ``model`` that belong to US1 (what an EU1 user must never reach)."""
    us1_user = world.users["clerk"]  # works in US1 only
    return model_admin.scope(model._default_manager.all(), us1_user)


def admin_url(model, view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def object_urls(model, obj) -> list[str]:
    urls = [admin_url(model, view, obj.pk) for view in ("change", "history", "delete")]
    history = getattr(obj, "history", None)
    if history is not None and history.exists():
        urls.append(
            reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
                args=[obj.pk, history.earliest("history_date").history_id],
            )
        )
    return [url for url in urls if url]


@pytest.mark.parametrize("role", WORKBENCH_ROLES)
def test_no_admin_page_shows_another_units_rows(client, world, full_cycle, role):
    client.force_login(staff_of_unit(world, role, "EU1"))
    leaks = []
    checked = 0
    for model, model_admin in unit_scoped_admins():
        rows = list(us1_rows(world, model, model_admin)[:3])
        if not rows:
            continue
        checked += 1
        changelist = client.get(admin_url(model, "changelist"))
        if changelist.status_code == 200:
            leaks += [
                f"{model.__name__} list shows {row}"
                for row in rows
                if admin_url(model, "change", row.pk) in changelist.content.decode()
            ]
        for url in object_urls(model, rows[0]):
            response = client.get(url)
            if response.status_code == 200:
                leaks.append(f"{url} answers 200")
        leaks += add_form_leaks(client, world, model)
    assert checked >= 20, "the cycle fixture should give US1 rows to most admins"
    assert not leaks, f"{role}:\n" + "\n".join(leaks)


def add_form_leaks(client, world, model) -> list[str]:
    """The add page's foreign-key choices offer no US1 row."""
    url = admin_url(model, "add")
    response = client.get(url) if url else None
    if response is None or response.status_code != 200 or "adminform" not in response.context:
        return []
    leaks = []
    for name, field in response.context["adminform"].form.fields.items():
        if not isinstance(field, ModelChoiceField):
            continue
        related_admin = admin.site._registry.get(field.queryset.model)
        if (
            not isinstance(related_admin, UnitScopedMixin)
            or related_admin.business_unit_path is SHARED
        ):
            continue
        offered = set(field.queryset) & set(us1_rows(world, field.queryset.model, related_admin))
        leaks += [f"{url} offers {row} in {name}" for row in offered]
    return leaks


def test_list_filters_and_autocomplete_offer_only_the_users_units(client, world, full_cycle):
    client.force_login(staff_of_unit(world, "Order Entry Clerk", "EU1"))
    changelist = client.get(admin_url(Customer, "changelist"))
    page = changelist.content.decode()
    assert "US1" not in page and "EU1" in page
    for customer in scope_to_units(Customer.objects.all(), world.users["clerk"]):
        assert customer.name not in page

    answer = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "procurement",
            "model_name": "sourcingrule",
            "field_name": "supplier",
            "term": "",
        },
    )
    # Suppliers are shared: autocomplete may list them; items of US1 never.
    assert answer.status_code in (200, 403)
    items = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "procurement", "model_name": "sourcingrule", "field_name": "item"},
    )
    if items.status_code == 200:
        offered = {int(result["id"]) for result in items.json()["results"]}
        assert not offered & set(
            Item.objects.filter(business_unit=world.units["US1"]).values_list("pk", flat=True)
        )


# --------------------------------------------------------------------------- writes


def first_us1(world, model, path: str):
    return scope_to_units(model.objects.order_by("pk"), world.users["clerk"], path).first()


MASTER_DATA_EDITS = [
    (Item, "business_unit", "catalog.change_item", {"description": "Changed from EU1"}),
    (Customer, "business_unit", "catalog.change_customer", {"name": "Changed from EU1"}),
    (Warehouse, "business_unit", "catalog.change_warehouse", {"name": "Changed from EU1"}),
    (
        SourcingRule,
        "item__business_unit",
        "procurement.change_sourcingrule",
        {"unit_cost": "1.00"},
    ),
]


@pytest.mark.parametrize(("model", "path", "permission", "edit"), MASTER_DATA_EDITS)
def test_another_units_master_data_cannot_be_changed(client, world, model, path, permission, edit):
    user = staff_of_unit(world, "Buyer", "EU1", permission)
    client.force_login(user)
    target = first_us1(world, model, path)
    form = client.get(admin_url(model, "change", target.pk))
    assert form.status_code == 302  # "doesn't exist": the admin's answer to a hidden row
    before = snapshot()
    posted = client.post(admin_url(model, "change", target.pk), edit)
    assert posted.status_code in (302, 403, 404)
    assert snapshot() == before
    target.refresh_from_db()
    for field, value in edit.items():
        assert str(getattr(target, field)) != value


def test_own_master_data_can_be_changed_but_not_moved_to_another_unit(client, world):
    user = staff_of_unit(world, "Order Entry Clerk", "EU1", "catalog.change_warehouse")
    client.force_login(user)
    warehouse = Warehouse.objects.get(business_unit=world.units["EU1"], code="E1")
    data = {
        "business_unit": world.units["EU1"].pk,
        "code": "E1",
        "name": "Rotterdam DC",
        "processing_days": 1,
    }
    assert client.post(admin_url(Warehouse, "change", warehouse.pk), data).status_code == 302
    warehouse.refresh_from_db()
    assert warehouse.name == "Rotterdam DC"

    moved = client.post(
        admin_url(Warehouse, "change", warehouse.pk),
        {**data, "business_unit": world.units["US1"].pk},
    )
    assert moved.status_code == 200
    assert "business_unit" in moved.context["adminform"].form.errors
    warehouse.refresh_from_db()
    assert warehouse.business_unit == world.units["EU1"]


@pytest.mark.parametrize("model", [Supplier, SupplierSite, BusinessUnit])
def test_shared_master_data_is_read_only_to_unit_users(client, world, model):
    """Suppliers serve every unit, and a unit and its members are the administrator's."""
    codename = f"{model._meta.app_label}.change_{model._meta.model_name}"
    client.force_login(staff_of_unit(world, "Buyer", "US1", codename))
    row = model.objects.order_by("pk").first()
    assert client.get(admin_url(model, "change", row.pk)).status_code == 200  # view only
    before = snapshot()
    assert client.post(admin_url(model, "change", row.pk), {}).status_code == 403
    assert snapshot() == before


def test_the_administrator_changes_shared_master_data(client, world):
    client.force_login(world.users["admin"])
    supplier = Supplier.objects.order_by("pk").first()
    page = client.get(admin_url(Supplier, "change", supplier.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is True
