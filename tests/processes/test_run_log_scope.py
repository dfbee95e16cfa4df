"""The run log and Schedule New Process follow the business-unit rule of the documents:
a run is of one unit (or, for a user who works in every unit, of every unit), and users
read only the runs of their units."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from b2b_portal.errors import PermissionRefused
from processes.models import ProcessRun
from processes.schedules import process_schedule_create
from processes.services import RUN_NEEDS_A_UNIT, process_run_queue
from tests.processes.support import schedule_post

pytestmark = pytest.mark.django_db


def run_of(world, unit_code: str | None, username="ops", process="autoinvoice_import"):
    parameters = {"business_unit": world.units[unit_code].pk} if unit_code else {}
    return process_run_queue(
        process=process, parameters=parameters, requested_by=world.users[username]
    )


@pytest.fixture
def runs(world):
    return {code: run_of(world, code, "admin") for code in ("US1", "EU1", None)}


def test_a_unit_user_reads_only_the_runs_of_their_units(client, world, runs, roles_with_the_admin):
    client.force_login(world.users["ops"])  # US1 only
    listing = client.get(reverse("processes:run_list"))
    assert list(listing.context["object_list"]) == [runs["US1"]]
    for code, status in (("US1", 200), ("EU1", 404), (None, 404)):
        page = client.get(reverse("processes:run_detail", args=[runs[code].pk]))
        assert page.status_code == status, code
    for code, shown in (("US1", True), ("EU1", False), (None, False)):
        admin_page = client.get(reverse("admin:processes_processrun_change", args=[runs[code].pk]))
        assert (admin_page.status_code == 200) is shown, code


def test_the_administrator_reads_every_run(client, world, runs):
    client.force_login(world.users["admin"])
    listing = client.get(reverse("processes:run_list"))
    assert set(listing.context["object_list"]) == set(runs.values())


@pytest.mark.parametrize("username", ["ops", "ar"])
def test_a_unit_user_must_name_the_unit_of_a_run(client, world, username):
    client.force_login(world.users[username])
    response = client.post(
        reverse("processes:schedule"), schedule_post(process="autoinvoice_import")
    )
    assert response.status_code == 200
    assert RUN_NEEDS_A_UNIT in response.context["form"].errors["business_unit"]
    assert not ProcessRun.objects.exists()


@pytest.mark.parametrize("username", ["ops", "ar"])
def test_a_unit_user_cannot_run_a_process_for_another_unit(client, world, username):
    client.force_login(world.users[username])
    response = client.post(
        reverse("processes:schedule"),
        schedule_post(process="autoinvoice_import", business_unit=world.units["EU1"].pk),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(response.context["form"].errors["business_unit"])
    assert not ProcessRun.objects.exists()


def test_the_administrator_may_run_a_process_over_every_unit(client, world):
    client.force_login(world.users["admin"])
    client.post(reverse("processes:schedule"), schedule_post(process="autoinvoice_import"))
    run = ProcessRun.objects.get()
    assert run.parameters == {"batch_size": 500}


@pytest.mark.parametrize("unit_code", ["EU1", None])
def test_the_service_refuses_a_run_beyond_the_users_units(world, unit_code):
    """Whatever the caller (page, admin, shell), a US1 accountant's AutoInvoice never runs
    over EU1 or over every unit."""
    schedules = PeriodicTask.objects.count()
    with pytest.raises(PermissionRefused):
        run_of(world, unit_code, username="ar")
    with pytest.raises(PermissionRefused):
        process_schedule_create(
            actor=world.users["ar"],
            process="autoinvoice_import",
            parameters={"business_unit": world.units[unit_code].pk} if unit_code else {},
            every_minutes=60,
        )
    assert not ProcessRun.objects.exists()
    assert PeriodicTask.objects.count() == schedules


def test_a_runs_page_names_its_unit_and_order_not_their_ids(client, world, runs):
    client.force_login(world.users["admin"])
    us1_page = client.get(reverse("processes:run_detail", args=[runs["US1"].pk]))
    assert ("Business unit", "US1") in us1_page.context["parameters"]
    every_unit = client.get(reverse("processes:run_detail", args=[runs[None].pk]))
    assert ("Business unit", "Every unit") in every_unit.context["parameters"]
    assert "Business unit: Every unit" in every_unit.content.decode()
