"""Schedules on the Scheduled Processes page: every schedule with its cadence in words, its
next and last run and whether it is paused; operations pause and resume one (who and
when kept); Schedule New Process is once only, shows only the chosen process's
parameters, takes a sales order by its number, and refuses a schedule made twice at once
with a message."""

import json
import threading
from datetime import UTC, datetime, time

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from b2b_portal.web import FIRST_SUBMIT_DONE
from processes import schedules
from processes.forms import NO_SUCH_ORDER, PARAMETERS_OF_ANOTHER_PROCESS
from processes.models import ProcessRun, Trigger
from processes.schedules import (
    ALREADY_PAUSED,
    NOT_A_PROCESS_SCHEDULE,
    PAUSED_NOTE,
    RESUMED_NOTE,
    SCHEDULE_PAUSED,
    SCHEDULED_TWICE,
    cadence_in_words,
    next_run_at,
    process_schedule_create,
)
from tests.helpers import messages_of, place_order, queries_to_render, unit_user
from tests.processes.support import ensure_default_schedules, schedule_post

SCHEDULE = reverse("processes:schedule")
RUN_LIST = reverse("processes:run_list")
PROGRESS_ORDER_DEFAULT = "Progress Order (default, every 5 min)"
RELAY = "Send runs waiting for the broker (default, every minute)"
# The defaults of migrations 0002, 0003, 0006 and 0007, as the page words them.
DEFAULT_CADENCES = {
    PROGRESS_ORDER_DEFAULT: "every 5 min, at :00, :05, :10 ...",
    "Generate Supply Orders (default, every 5 min)": "every 5 min, at :02, :07, :12 ...",
    "AutoCreate Purchase Orders (default, every 15 min)": "every 15 min, at :04, :19, :34 ...",
    "Import AutoInvoice (default, every 60 min)": "hourly at :30",
    "Validate AP Invoices (default, every 60 min)": "hourly at :45",
    RELAY: "every minute",
}
OTHER_ROLES = ["clerk", "manager", "buyer", "receiver", "shipper", "ap", "ar"]


def pause_url(task):
    return reverse("processes:schedule_pause", args=[task.pk])


def resume_url(task):
    return reverse("processes:schedule_resume", args=[task.pk])


@pytest.fixture(autouse=True)
def default_schedules(db):
    ensure_default_schedules()


@pytest.fixture
def ops(client, users):
    client.force_login(users["ops"])
    return client


def unit_schedule(world, unit_code: str, at=time(6, 0)) -> PeriodicTask:
    return process_schedule_create(
        actor=world.users["admin"],
        process="late_supply",
        parameters={"business_unit": world.units[unit_code].pk},
        daily_at=at,
    )


# ------------------------------------------------------------------ the schedules list


def test_the_page_lists_every_default_schedule_with_its_cadence_in_words(ops, world):
    page = ops.get(RUN_LIST)

    rows = {row.task.name: row for row in page.context["schedules"]}
    for name, cadence in DEFAULT_CADENCES.items():
        assert rows[name].cadence == cadence, name
        assert rows[name].task.enabled
        assert rows[name].next_run is not None
    late_supply = next(
        row for row in rows.values() if row.process and row.process.code == "late_supply"
    )
    assert late_supply.cadence == "daily at 06:00"
    assert rows[PROGRESS_ORDER_DEFAULT].unit == "Every unit"
    assert rows[PROGRESS_ORDER_DEFAULT].may_steer
    assert rows[RELAY].process is None and not rows[RELAY].may_steer
    content = page.content.decode()
    assert "every 5 min, at :02, :07, :12 ..." in content
    assert content.count('action="/processes/schedules/') == sum(
        row.may_steer for row in rows.values()
    )


def test_next_run_follows_the_crontab_and_the_last_run():
    now = datetime(2026, 3, 2, 10, 3, 20, tzinfo=UTC)

    def task(ran_at: str | None = None, **schedule):
        ran = datetime.fromisoformat(f"2026-03-02T{ran_at}+00:00") if ran_at else None
        return PeriodicTask(name="t", task="processes.run_scheduled", last_run_at=ran, **schedule)

    every_5_at_2 = CrontabSchedule(minute="2-59/5", hour="*", timezone="UTC")
    daily_6 = CrontabSchedule(minute="0", hour="6", timezone="UTC")
    every_10 = IntervalSchedule(every=10, period="minutes")
    at = now.replace
    assert next_run_at(task("10:02:01", crontab=every_5_at_2), now) == at(minute=7, second=0)
    assert next_run_at(task("06:00:01", crontab=daily_6), now) == at(
        day=3, hour=6, minute=0, second=0
    )
    # Beat missed 10:02 (it last ran at 09:57): the run is due at once.
    assert next_run_at(task("09:57:00", crontab=every_5_at_2), now) == now
    assert next_run_at(task("10:00:05", interval=every_10), now) == at(minute=10, second=5)
    # Never run: beat counts from its start, here now.
    assert next_run_at(task(interval=every_10), now) == at(minute=13)
    assert next_run_at(task(interval=every_10, enabled=False), now) is None
    # :50 to the next :10 is 20 minutes too: evenly spaced round the hour.
    every_20 = CrontabSchedule(minute="10-50/20", hour="*", timezone="UTC")
    assert cadence_in_words(task(crontab=every_20)) == "every 20 min, at :10, :30, :50 ..."
    uneven = CrontabSchedule(minute="0,10", hour="*", timezone="UTC")
    assert cadence_in_words(task(crontab=uneven)) == uneven.human_readable


def test_the_last_run_is_the_newest_run_the_schedule_queued(ops, world):
    ProcessRun.objects.create(
        process="progress_order", trigger=Trigger.SCHEDULE, schedule_name=PROGRESS_ORDER_DEFAULT
    )
    newest = ProcessRun.objects.create(
        process="progress_order", trigger=Trigger.SCHEDULE, schedule_name=PROGRESS_ORDER_DEFAULT
    )

    rows = {row.task.name: row for row in ops.get(RUN_LIST).context["schedules"]}

    assert rows[PROGRESS_ORDER_DEFAULT].last_run == newest
    # A run of every unit is the administrator's to open (runs_visible_to): no link for ops.
    assert not rows[PROGRESS_ORDER_DEFAULT].last_run_visible


def test_the_schedules_cost_the_same_queries_for_few_and_many(ops, world):
    in_us1 = {"business_unit": world.units["US1"].pk}
    ProcessRun.objects.create(process="late_supply", parameters=in_us1)
    ops.get(RUN_LIST)  # the first request of a session costs a few queries more
    few = queries_to_render(ops, RUN_LIST)
    for hour in range(8):
        schedule = unit_schedule(world, "US1", at=time(hour, 0))
        ProcessRun.objects.create(
            process="late_supply", parameters=in_us1, schedule_name=schedule.name
        )
    assert queries_to_render(ops, RUN_LIST) == few


def test_another_units_schedule_is_neither_shown_nor_paused(ops, world):
    eu1 = unit_schedule(world, "EU1")
    us1 = unit_schedule(world, "US1", at=time(7, 0))

    names = {row.task.name for row in ops.get(RUN_LIST).context["schedules"]}
    assert us1.name in names and eu1.name not in names

    assert ops.post(pause_url(eu1)).status_code == 404
    eu1.refresh_from_db()
    assert eu1.enabled


# --------------------------------------------------------------------- pause and resume


def test_operations_pause_and_resume_a_default_schedule_and_who_did_it_is_kept(ops, users):
    task = PeriodicTask.objects.get(name=PROGRESS_ORDER_DEFAULT)

    paused = ops.post(pause_url(task))

    assert paused.status_code == 302
    assert messages_of(paused) == [SCHEDULE_PAUSED.format(name=task.name)]
    task.refresh_from_db()
    assert task.enabled is False
    entry = LogEntry.objects.get(object_id=str(task.pk))
    assert (entry.user, entry.change_message) == (users["ops"], PAUSED_NOTE)
    page = ops.get(RUN_LIST)
    row = next(row for row in page.context["schedules"] if row.task.pk == task.pk)
    assert (row.next_run, row.last_change) == (None, entry)
    assert "Paused" in page.content.decode() and "paused by ops" in page.content.decode()

    resumed = ops.post(resume_url(task))

    assert resumed.status_code == 302
    task.refresh_from_db()
    assert task.enabled is True
    assert list(
        LogEntry.objects.filter(object_id=str(task.pk)).values_list("change_message", flat=True)
    ) == [RESUMED_NOTE, PAUSED_NOTE]
    assert "is resumed: its next run is at" in messages_of(resumed)[0]


def test_pausing_a_paused_schedule_says_so_and_writes_nothing(ops):
    task = PeriodicTask.objects.get(name=PROGRESS_ORDER_DEFAULT)
    ops.post(pause_url(task))

    again = ops.post(pause_url(task))

    assert messages_of(again)[-1] == ALREADY_PAUSED.format(name=task.name)
    assert LogEntry.objects.filter(object_id=str(task.pk)).count() == 1


def test_the_relay_is_not_paused_from_the_page(ops):
    relay = PeriodicTask.objects.get(name=RELAY)

    response = ops.post(pause_url(relay))

    assert messages_of(response) == [NOT_A_PROCESS_SCHEDULE.format(name=relay.name)]
    relay.refresh_from_db()
    assert relay.enabled


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_other_roles_may_not_pause_or_resume(client, users, username):
    task = PeriodicTask.objects.get(name=PROGRESS_ORDER_DEFAULT)
    client.force_login(users[username])
    assert client.post(pause_url(task)).status_code == 403
    assert client.post(resume_url(task)).status_code == 403
    task.refresh_from_db()
    assert task.enabled and not LogEntry.objects.exists()
    if username == "ar":  # sees the run log, not the schedules
        assert client.get(RUN_LIST).context.get("schedules") is None


def test_anonymous_users_are_sent_to_sign_in_from_pause(client, db):
    task = PeriodicTask.objects.get(name=PROGRESS_ORDER_DEFAULT)
    response = client.post(pause_url(task))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --------------------------------------------------------------- Schedule New Process


def test_the_form_shows_only_the_chosen_processs_parameters(ops, world):
    autoinvoice = ops.get(SCHEDULE, {"process": "autoinvoice_import"})
    shown = [field.name for field in autoinvoice.context["form"].parameter_fields]
    assert shown == ["business_unit", "date_from", "date_to", "batch_size"]
    content = autoinvoice.content.decode()
    assert 'name="item"' not in content and 'name="sales_order"' not in content

    # htmx asks for another process's parameters: only the block, keeping what was typed.
    partial = ops.get(
        SCHEDULE,
        {"process": "progress_order", "batch_size": "77"},
        headers={"HX-Request": "true"},
    )
    assert b"<html" not in partial.content
    assert [field.name for field in partial.context["form"].parameter_fields] == [
        "business_unit",
        "sales_order",
        "date_from",
        "date_to",
        "batch_size",
    ]
    assert b'value="77"' in partial.content
    assert b'name="parameters_for" value="progress_order"' in partial.content


def test_a_post_for_another_process_than_the_page_showed_runs_nothing(ops, world):
    response = ops.post(
        SCHEDULE,
        schedule_post(
            process="generate_supply_orders",
            parameters_for="autoinvoice_import",
            business_unit=world.units["US1"].pk,
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        PARAMETERS_OF_ANOTHER_PROCESS.format(
            shown="Import AutoInvoice", process="Generate Supply Orders"
        )
    ]
    assert "item" in response.context["form"].fields  # Generate's parameters, shown now
    assert not ProcessRun.objects.exists()


def test_a_sales_order_is_given_by_its_number_and_the_run_names_it(ops, world):
    order = place_order(world, ("SRV-DL380-G11", "1"))

    response = ops.post(
        SCHEDULE,
        schedule_post(
            process="progress_order", business_unit=world.units["US1"].pk, sales_order=order.number
        ),
    )

    run = ProcessRun.objects.get(trigger=Trigger.MANUAL)
    assert response.status_code == 302
    assert run.parameters["sales_order"] == order.pk
    page = ops.get(reverse("processes:run_detail", args=[run.pk])).content.decode()
    assert f"Sales order: {order.number}" in page and "Business unit: US1" in page
    listing = ops.get(RUN_LIST, {"process": "progress_order"})
    [row] = [row for row in listing.context["runs"] if row["pk"] == run.pk]
    assert f"Sales order: {order.number}" in row["parameters"]


def test_an_item_is_named_by_its_number_in_the_run_log(ops, world):
    item = world.items["SRV-DL380-G11"]
    ops.post(
        SCHEDULE,
        schedule_post(
            process="generate_supply_orders", business_unit=world.units["US1"].pk, item=item.pk
        ),
    )
    run = ProcessRun.objects.get()
    [row] = [row for row in ops.get(RUN_LIST).context["runs"] if row["pk"] == run.pk]
    assert f"Item: {item}" in row["parameters"] and str(item).startswith(item.number)


def test_an_order_of_another_unit_is_refused_by_its_number(ops, world):
    world.users["clerk"] = unit_user(world, "clerk-eu1", "Order Entry Clerk")
    order = place_order(world, ("SRV-DL380-EU", "1"), customer="C-2001", unit="EU1", warehouse="E1")
    response = ops.post(
        SCHEDULE,
        schedule_post(
            process="progress_order", business_unit=world.units["US1"].pk, sales_order=order.number
        ),
    )
    assert response.context["form"].errors["sales_order"] == [
        NO_SUCH_ORDER.format(number=order.number)
    ]
    assert not ProcessRun.objects.filter(trigger=Trigger.MANUAL).exists()


def test_a_double_click_on_once_now_queues_one_run(ops, world):
    data = schedule_post(process="generate_supply_orders", business_unit=world.units["US1"].pk)

    first = ops.post(SCHEDULE, data)
    second = ops.post(SCHEDULE, data)

    assert first.status_code == 302
    assert second.url == first.url  # the run the first submit queued
    assert FIRST_SUBMIT_DONE in messages_of(second)
    assert ProcessRun.objects.count() == 1


def test_a_double_click_on_a_recurring_schedule_makes_one(ops, world):
    before = PeriodicTask.objects.count()
    data = schedule_post(
        process="autoinvoice_import",
        business_unit=world.units["US1"].pk,
        repeat="interval",
        every_minutes=10,
    )
    first = ops.post(SCHEDULE, data)
    second = ops.post(SCHEDULE, data)
    assert first.status_code == 302
    assert second.url == first.url  # lands where the first submit did
    assert FIRST_SUBMIT_DONE in messages_of(second)
    assert PeriodicTask.objects.count() == before + 1
    made = PeriodicTask.objects.latest("id")
    assert json.loads(made.kwargs)["parameters"] == {
        "business_unit": world.units["US1"].pk,
        "batch_size": 500,
    }


@pytest.mark.django_db(transaction=True)
def test_two_posts_in_the_same_second_make_one_schedule_and_tell_the_other(world, monkeypatch):
    """Two tabs (two tokens) post the same schedule at once, each on its own connection. Both
    pass the name check before either inserts (a barrier holds them), so the unique
    constraint decides: one schedule, and the other post gets the message, not a 500."""
    moment = timezone.make_aware(datetime(2026, 3, 2, 9, 30, 15))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    both_checked = threading.Barrier(2, timeout=180)  # a busy machine is slow
    guard = schedules.refused_on_conflict

    def after_both_checked(refusals):
        both_checked.wait()
        return guard(refusals)

    monkeypatch.setattr(schedules, "refused_on_conflict", after_both_checked)
    before = PeriodicTask.objects.count()
    outcomes = []

    def post():
        client = Client()
        client.force_login(world.users["ops"])
        response = client.post(
            SCHEDULE,
            schedule_post(
                process="late_supply",
                business_unit=world.units["US1"].pk,
                repeat="daily",
                daily_at="06:00",
            ),
        )
        form = response.context["form"] if response.status_code == 200 else None
        outcomes.append((response.status_code, form.non_field_errors() if form else []))
        connection.close()  # the thread's own connection, or the test database stays in use

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [(200, [SCHEDULED_TWICE]), (302, [])]
    assert PeriodicTask.objects.count() == before + 1
