"""Celery tasks of Payables and Receivables: thin wrappers that execute a logged run."""

from celery import shared_task

from processes.services import process_run_execute

from .services import ap_invoices_validate, autoinvoice_import


@shared_task(name="invoicing.autoinvoice_import")
def autoinvoice_import_task(run_id: int) -> str:
    return process_run_execute(run_id=run_id, service=autoinvoice_import).status


@shared_task(name="invoicing.validate_ap_invoices")
def validate_ap_invoices(run_id: int) -> str:
    return process_run_execute(run_id=run_id, service=ap_invoices_validate).status
