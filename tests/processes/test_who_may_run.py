"""Who may run which process is written once, in the registry: the Schedule page, the admin
buttons and the services ask it, and a run asked for by someone else is refused."""

from datetime import datetime, time

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from b2b_portal.errors import PermissionRefused, ValidationRefused
from processes.batching import ProcessResult
from processes.models import ProcessRun, RunStatus, Trigger
from processes.registry import PROCESSES, RUN_REFUSED, processes_runnable_by
from processes.schedules import SCHEDULE_NAME_CONSTRAINT, SCHEDULED_TWICE, process_schedule_create
from processes.services import process_run_execute, process_run_queue
from tests.locking.support import assert_locks_only_own_rows, lock_order, locking_statements

pytestmark = pytest.mark.django_db

RUNNABLE = {
    "ops": list(PROCESSES),
    "admin": list(PROCESSES),
    "manager": ["progress_order", "generate_supply_orders"],
    "buyer": ["autocreate_purchase_orders"],
    "ap": ["validate_ap_invoices"],
    "ar": ["autoinvoice_import"],
    "clerk": [],
    "receiver": [],
    "shipper": [],
}


@pytest.mark.parametrize("username", RUNNABLE)
def test_each_role_may_run_the_processes_of_its_work(users, username):
    runnable = [definition.code for definition in processes_runnable_by(users[username])]
    assert runnable == RUNNABLE[username]


def test_a_run_asked_for_by_hand_is_refused_to_a_role_without_the_process(users):
    with pytest.raises(PermissionRefused) as refused:
        process_run_queue(process="progress_order", requested_by=users["ar"])

    assert refused.value.message == RUN_REFUSED.format(user=users["ar"], process="Progress Order")
    assert not ProcessRun.objects.exists()


def test_a_run_asked_for_by_a_role_of_the_process_is_queued(users, world):
    run = process_run_queue(
        process="autoinvoice_import",
        parameters={"business_unit": world.units["US1"].pk},
        requested_by=users["ar"],
    )

    assert (run.status, run.trigger, run.requested_by) == (
        RunStatus.QUEUED,
        Trigger.MANUAL,
        users["ar"],
    )


def test_a_run_an_event_starts_is_not_a_permission_of_the_user_behind_it(users):
    """Booking queues Progress Order for the clerk, who may not run it by hand."""
    run = process_run_queue(
        process="progress_order", trigger=Trigger.EVENT, requested_by=users["clerk"]
    )

    assert (run.process, run.trigger) == ("progress_order", Trigger.EVENT)


def test_a_schedule_is_refused_to_a_role_without_the_process(users):
    schedules = PeriodicTask.objects.count()

    with pytest.raises(PermissionRefused) as refused:
        process_schedule_create(
            actor=users["ar"], process="progress_order", parameters={}, every_minutes=5
        )

    assert refused.value.message == RUN_REFUSED.format(user=users["ar"], process="Progress Order")
    assert PeriodicTask.objects.count() == schedules


def test_the_same_schedule_sent_twice_in_one_second_is_refused_the_second_time(
    users, world, monkeypatch
):
    moment = timezone.make_aware(datetime(2026, 3, 2, 9, 30, 15))
    monkeypatch.setattr(timezone, "now", lambda: moment)

    def schedule():
        return process_schedule_create(
            actor=users["ops"],
            process="late_supply",
            parameters={"business_unit": world.units["US1"].pk},
            daily_at=time(6, 0),
        )

    made = schedule()
    schedules = PeriodicTask.objects.count()
    with pytest.raises(ValidationRefused) as refused:
        schedule()

    assert refused.value.message == SCHEDULED_TWICE
    assert PeriodicTask.objects.count() == schedules
    assert PeriodicTask.objects.filter(name=made.name).count() == 1


def test_the_run_moves_lock_only_the_run_row(users):
    run = ProcessRun.objects.create(process="late_supply", requested_by=users["ops"])

    statements = locking_statements(
        lambda: process_run_execute(run_id=run.pk, service=lambda **_: ProcessResult())
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["processes_processrun"]
    assert len(statements) == 2  # started, then succeeded
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


def test_the_schedule_name_constraint_the_service_catches_exists():
    """``process_schedule_create`` turns this constraint's violation into a refusal: if
    django-celery-beat renamed it, a race would be a server error again."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, PeriodicTask._meta.db_table)
    assert constraints[SCHEDULE_NAME_CONSTRAINT]["columns"] == ["name"]
    assert constraints[SCHEDULE_NAME_CONSTRAINT]["unique"]
