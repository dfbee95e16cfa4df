"""Celery tasks of the supply side: thin wrappers that execute a logged run."""

from celery import shared_task

from processes.services import process_run_execute

from .services import (
    orders_progress,
    purchase_order_lines_flag_late,
    purchase_orders_autocreate,
    supply_orders_generate,
)


@shared_task(name="procurement.progress_order")
def progress_order(run_id: int) -> str:
    return process_run_execute(run_id=run_id, service=orders_progress).status


@shared_task(name="procurement.generate_supply_orders")
def generate_supply_orders(run_id: int) -> str:
    return process_run_execute(run_id=run_id, service=supply_orders_generate).status


@shared_task(name="procurement.autocreate_purchase_orders")
def autocreate_purchase_orders(run_id: int) -> str:
    return process_run_execute(run_id=run_id, service=purchase_orders_autocreate).status


@shared_task(name="procurement.flag_late_supply")
def flag_late_supply(run_id: int) -> str:
    return process_run_execute(run_id=run_id, service=purchase_order_lines_flag_late).status
