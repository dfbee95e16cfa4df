"""The Scheduled Processes page: operations run and schedule processes; other roles get 403."""

import json

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from processes.models import ProcessRun, RunStatus
from tests.factories import ProcessRunFactory
from tests.helpers import queries_to_render
from tests.processes.support import ensure_default_schedules, schedule_post

pytestmark = pytest.mark.django_db

PAGES = ["processes:run_list", "processes:schedule"]
# The AR accountant sees the page too: Import AutoInvoice is run from it (issue 4).
OTHER_ROLES = ["clerk", "manager", "buyer", "receiver", "shipper", "ap"]


@pytest.fixture(autouse=True)
def default_schedules(db):
    """The page lists the schedules: the same ones whatever ran before (see support)."""
    ensure_default_schedules()


@pytest.fixture
def ops_client(client, users):
    client.force_login(users["ops"])
    return client


def test_operations_queue_a_run_and_follow_it(ops_client, users, world):
    us1 = world.units["US1"]
    response = ops_client.post(
        reverse("processes:schedule"),
        schedule_post(process="generate_supply_orders", business_unit=us1.pk, batch_size=200),
    )
    run = ProcessRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("processes:run_detail", args=[run.pk])
    assert (run.process, run.status, run.requested_by) == (
        "generate_supply_orders",
        RunStatus.QUEUED,
        users["ops"],
    )
    assert run.parameters == {"business_unit": us1.pk, "batch_size": 200}

    page = ops_client.get(reverse("processes:run_detail", args=[run.pk]))
    assert page.status_code == 200
    assert b'hx-trigger="every 1s"' in page.content  # still polling while queued
    partial = ops_client.get(
        reverse("processes:run_detail", args=[run.pk]), headers={"HX-Request": "true"}
    )
    assert b"<html" not in partial.content and b"Queued" in partial.content
    listing = ops_client.get(reverse("processes:run_list"), {"status": "QUEUED"})
    assert list(listing.context["object_list"]) == [run]


def test_operations_schedule_a_recurring_run(ops_client, world):
    before = PeriodicTask.objects.count()
    response = ops_client.post(
        reverse("processes:schedule"),
        schedule_post(
            process="autoinvoice_import",
            business_unit=world.units["US1"].pk,
            repeat="interval",
            every_minutes=10,
        ),
    )
    assert response.status_code == 302
    assert PeriodicTask.objects.count() == before + 1
    task = PeriodicTask.objects.latest("id")
    assert (task.task, task.interval.every) == ("processes.run_scheduled", 10)
    kwargs = json.loads(task.kwargs)
    assert kwargs["process"] == "autoinvoice_import"
    assert kwargs["parameters"] == {"business_unit": world.units["US1"].pk, "batch_size": 500}


def test_the_administrator_schedules_from_the_admin(client, users):
    client.force_login(users["admin"])
    crontab = CrontabSchedule.objects.create(minute="0", hour="2")
    response = client.post(
        reverse("admin:django_celery_beat_periodictask_add"),
        {
            "name": "Nightly AutoInvoice",
            "regtask": "processes.run_scheduled",
            "enabled": "on",
            "crontab": crontab.pk,
            "args": "[]",
            "kwargs": json.dumps({"process": "autoinvoice_import", "parameters": {}}),
            "headers": "{}",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    task = PeriodicTask.objects.get(name="Nightly AutoInvoice")
    assert (task.task, task.crontab) == ("processes.run_scheduled", crontab)


def test_operations_schedule_from_the_page_not_the_admin(ops_client):
    """The admin is the administrator's (docs/decisions.md): a schedule made there may
    run over every unit, so operations schedule from Schedule New Process instead."""
    response = ops_client.get(reverse("admin:django_celery_beat_periodictask_add"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("username", OTHER_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_other_roles_get_403(client, users, username, page):
    client.force_login(users[username])
    assert client.get(reverse(page)).status_code == 403
    assert (
        client.post(reverse("processes:schedule"), {"process": "progress_order"}).status_code == 403
    )
    assert not ProcessRun.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get(reverse("processes:run_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to", "before the start"),
        ({"batch_size": 0}, "batch_size", "greater than or equal to 1"),
        ({"repeat": "interval"}, "every_minutes", "how many minutes"),
        ({"process": "nonsense"}, "process", "Select a valid choice"),
    ],
)
def test_bad_input_shows_an_error_and_queues_nothing(ops_client, world, data, field, message):
    form = schedule_post(**{"process": "autoinvoice_import", **data})
    schedules = PeriodicTask.objects.count()
    response = ops_client.post(reverse("processes:schedule"), form)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ProcessRun.objects.exists()
    assert PeriodicTask.objects.count() == schedules


def test_the_run_list_costs_the_same_queries_for_5_and_60_runs(ops_client, users, world):
    run_list = reverse("processes:run_list")
    in_us1 = {"business_unit": world.units["US1"].pk}
    ProcessRunFactory.create_batch(
        5, process="progress_order", parameters=in_us1, requested_by=users["ops"]
    )
    few = queries_to_render(ops_client, run_list)
    ProcessRunFactory.create_batch(
        55, process="progress_order", parameters=in_us1, requested_by=users["ops"]
    )
    assert queries_to_render(ops_client, run_list) == few


def test_the_ar_accountant_may_run_only_import_autoinvoice(client, users, world):
    client.force_login(users["ar"])
    page = client.get(reverse("processes:schedule"), {"process": "autoinvoice_import"})
    assert page.status_code == 200
    assert [code for code, _ in page.context["form"].fields["process"].choices] == [
        "autoinvoice_import"
    ]
    refused = client.post(reverse("processes:schedule"), schedule_post(process="progress_order"))
    assert "Select a valid choice" in " ".join(refused.context["form"].errors["process"])
    client.post(
        reverse("processes:schedule"),
        schedule_post(process="autoinvoice_import", business_unit=world.units["US1"].pk),
    )
    run = ProcessRun.objects.get()
    assert (run.process, run.requested_by) == ("autoinvoice_import", users["ar"])
