"""Retry, Retry failed lines and Cancel on the run page and the home page: offered and
allowed to whoever may run the process (operations; the registry's roles), in their
units; anyone else is refused and nothing changes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from processes.models import ProcessRun, RunEvent, RunStatus
from processes.run_actions import RUN_CANCELLED, RUN_RETRIED
from processes.services import (
    RUN_NOT_CANCELLABLE,
    process_run_execute,
    process_run_queue,
    process_runs_watch,
)
from procurement.models import SupplyOrder
from procurement.services import orders_progress, supply_orders_generate
from tests.helpers import messages_of, place_order, queries_to_render, unit_user

pytestmark = pytest.mark.django_db

ACTIONS = ["processes:run_retry", "processes:run_cancel", "processes:run_retry_failed_lines"]
# Roles without the run log (processes.view_processrun).
NO_RUN_LOG = ["clerk", "manager", "buyer", "receiver", "shipper", "ap"]


def stalled(world, process="generate_supply_orders", user="ops"):
    run = process_run_queue(
        process=process,
        parameters={"business_unit": world.units["US1"].pk},
        requested_by=world.users[user],
    )
    ProcessRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    process_runs_watch()
    run.refresh_from_db()
    assert run.status == RunStatus.STALLED
    return run


def post(client, name, run, **data):
    return client.post(reverse(name, args=[run.pk]), data)


def test_operations_retry_a_stalled_run_from_its_page(client, world):
    run = stalled(world)
    client.force_login(world.users["ops"])
    page = client.get(run.get_absolute_url())
    assert b">Retry</button>" in page.content and b">Cancel run</button>" in page.content
    assert b"Stalled: no progress within the Generate Supply Orders limit" in page.content
    assert b'data-testid="run-timeline"' in page.content and b"Stalled</td>" in page.content

    response = post(client, "processes:run_retry", run)

    retry = ProcessRun.objects.get(retry_of=run)
    assert response.status_code == 302 and response["Location"] == retry.get_absolute_url()
    assert RUN_RETRIED.format(run=run, retry=retry) in messages_of(response)
    assert (retry.status, retry.requested_by) == (RunStatus.QUEUED, world.users["ops"])
    page = client.get(run.get_absolute_url())
    assert b">Retry</button>" not in page.content and b"Retried as" in page.content


def test_operations_cancel_with_a_reason_and_are_told_when_it_is_missing(client, world):
    run = stalled(world)
    client.force_login(world.users["ops"])

    response = post(client, "processes:run_cancel", run, reason="")
    assert messages_of(response)[-1] == "Say why the run is cancelled."
    assert ProcessRun.objects.get(pk=run.pk).status == RunStatus.STALLED

    response = post(client, "processes:run_cancel", run, reason="duplicate of #1")
    run.refresh_from_db()
    assert (run.status, run.cancel_reason) == (RunStatus.CANCELLED, "duplicate of #1")
    assert messages_of(response)[-1] == RUN_CANCELLED.format(run=run)

    response = post(client, "processes:run_cancel", run, reason="again")
    assert messages_of(response)[-1] == RUN_NOT_CANCELLABLE.format(run=run, status="Cancelled")
    assert run.events.filter(kind=RunEvent.CANCELLED).count() == 1


def test_a_run_waits_on_operations_on_the_home_page_and_is_retried_from_there(client, world):
    run = stalled(world)
    client.force_login(world.users["ops"])
    home = client.get(reverse("home"))
    assert b'data-testid="runs-waiting-count">1<' in home.content
    assert run.get_absolute_url().encode() in home.content

    response = post(client, "processes:run_retry", run, next=reverse("home"))

    assert response["Location"] == reverse("home")
    assert ProcessRun.objects.filter(retry_of=run).exists()
    home = client.get(reverse("home"))
    assert b'data-testid="runs-waiting-count">0<' in home.content


def test_the_home_page_s_queries_do_not_grow_with_the_runs_waiting(client, world):
    client.force_login(world.users["ops"])
    stalled(world)
    with_one = queries_to_render(client, reverse("home"))
    for _ in range(4):
        stalled(world)
    assert queries_to_render(client, reverse("home")) == with_one


def test_roles_without_the_run_log_see_no_runs_waiting(client, world):
    stalled(world)
    client.force_login(world.users["clerk"])
    assert b"Runs waiting on you" not in client.get(reverse("home")).content


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("username", NO_RUN_LOG)
def test_roles_without_the_run_log_get_403(client, world, name, username):
    run = stalled(world)
    client.force_login(world.users[username])
    assert post(client, name, run, reason="x").status_code == 403
    assert ProcessRun.objects.get(pk=run.pk).status == RunStatus.STALLED
    assert ProcessRun.objects.count() == 1


@pytest.mark.parametrize("name", ACTIONS)
def test_the_ar_accountant_may_not_act_on_a_process_not_theirs(client, world, name):
    run = stalled(world)
    client.force_login(world.users["ar"])
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200 and b">Retry</button>" not in page.content
    assert post(client, name, run, reason="x").status_code == 403
    assert ProcessRun.objects.count() == 1


def test_the_ar_accountant_retries_an_autoinvoice_run_from_its_page(client, world):
    run = stalled(world, "autoinvoice_import", user="ar")
    client.force_login(world.users["ar"])
    assert b">Retry</button>" in client.get(run.get_absolute_url()).content
    post(client, "processes:run_retry", run)
    assert ProcessRun.objects.get(retry_of=run).requested_by == world.users["ar"]


@pytest.mark.parametrize("name", ACTIONS)
def test_another_unit_s_run_is_not_found(client, world, name):
    run = stalled(world)
    client.force_login(unit_user(world, "eu-ops", "Operations"))
    assert post(client, name, run, reason="x").status_code == 404
    assert ProcessRun.objects.get(pk=run.pk).status == RunStatus.STALLED


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_users_are_sent_to_sign_in_and_a_get_is_refused(client, world, name):
    run = stalled(world)
    response = post(client, name, run)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(world.users["ops"])
    assert client.get(reverse(name, args=[run.pk])).status_code == 405


def test_a_redirect_elsewhere_is_not_followed(client, world):
    run = stalled(world)
    client.force_login(world.users["ops"])
    response = post(client, "processes:run_cancel", run, reason="x", next="https://evil.example/")
    assert response["Location"] == run.get_absolute_url()


def test_failed_lines_link_their_document_and_are_retried_alone_from_the_page(client, world):
    place_order(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "1"))
    orders_progress(actor=world.users["manager"])
    item = world.items["SRV-R760-XA"]
    item.purchasable = False
    item.save()
    run = process_run_queue(
        process="generate_supply_orders",
        parameters={"business_unit": world.units["US1"].pk},
        requested_by=world.users["ops"],
    )
    run = process_run_execute(run_id=run.pk, service=supply_orders_generate)
    failed = SupplyOrder.objects.get(item=item)
    client.force_login(world.users["ops"])

    page = client.get(run.get_absolute_url()).content.decode()
    assert f'<a href="{failed.sales_order_line.get_absolute_url()}">{failed}</a>' in page
    assert ">Retry failed lines</button>" in page and ">Retry</button>" not in page

    post(client, "processes:run_retry_failed_lines", run)
    retry = ProcessRun.objects.get(retry_of=run)
    assert retry.parameters == {
        "business_unit": world.units["US1"].pk,
        "supply_orders": [failed.pk],
    }
