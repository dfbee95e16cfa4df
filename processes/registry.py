"""The scheduled processes, their parameters and who may run them.

This app sits below every other in the import table, so it names each process's Celery
task by its registered name (``app.task``) instead of importing the app that owns it.

Who may run which process is decided here and nowhere else: operations run every process;
each process names the permissions of the other roles whose work it moves on. The
Scheduled Processes page offers ``processes_runnable_by(user)``, the admin's buttons ask
``may_be_run_by``, and ``process_run_queue`` refuses anyone else.
"""

from dataclasses import dataclass
from datetime import timedelta

from b2b_portal.errors import PermissionRefused

OPERATIONS_PERMISSION = "processes.add_processrun"
RUN_REFUSED = "{user} is not allowed to run {process}."


@dataclass(frozen=True)
class ProcessDefinition:
    code: str
    name: str
    task_name: str
    description: str
    parameters: tuple[str, ...]
    # Besides operations, who may run it: any one of these permissions.
    run_permissions: tuple[str, ...] = ()
    # How long a run may go without a sign of life before the watchdog marks it Stalled:
    # waiting Queued for a worker, and Running between two committed chunks.
    queued_limit: timedelta = timedelta(minutes=15)
    running_limit: timedelta = timedelta(minutes=10)
    # The service argument that limits a run to some rows (their pks): "retry failed
    # lines" queues a run with it. Empty: the process records no failed lines to retry.
    line_parameter: str = ""

    def may_be_run_by(self, user) -> bool:
        return any(user.has_perm(p) for p in (OPERATIONS_PERMISSION, *self.run_permissions))

    def require_may_be_run_by(self, user) -> None:
        if not self.may_be_run_by(user):
            raise PermissionRefused(RUN_REFUSED.format(user=user, process=self.name))


PROCESSES = {
    definition.code: definition
    for definition in [
        ProcessDefinition(
            code="progress_order",
            name="Progress Order",
            task_name="procurement.progress_order",
            description=(
                "Booked Back-to-Back lines get a supply order (Awaiting Supply); stocked "
                "lines reserve on-hand or wait Backordered."
            ),
            parameters=("business_unit", "sales_order", "date_from", "date_to", "batch_size"),
            run_permissions=("procurement.progress_salesorderline",),
        ),
        ProcessDefinition(
            code="generate_supply_orders",
            name="Generate Supply Orders",
            task_name="procurement.generate_supply_orders",
            description="Open supply orders get a requisition line from their sourcing rule.",
            parameters=("business_unit", "item", "date_from", "date_to", "batch_size"),
            run_permissions=("procurement.progress_salesorderline",),
            line_parameter="supply_orders",
        ),
        ProcessDefinition(
            code="autocreate_purchase_orders",
            name="AutoCreate Purchase Orders",
            task_name="procurement.autocreate_purchase_orders",
            description="Approved requisition lines become draft POs, one per supplier.",
            parameters=("business_unit", "supplier", "item", "batch_size"),
            run_permissions=("procurement.add_purchaseorder",),
        ),
        ProcessDefinition(
            code="late_supply",
            name="Late Supply",
            task_name="procurement.flag_late_supply",
            description="Pegged PO lines past their promised date flag their order lines at risk.",
            parameters=("business_unit", "supplier", "batch_size"),
            # Daily: a run may wait behind the morning's other work.
            queued_limit=timedelta(minutes=30),
        ),
        ProcessDefinition(
            code="autoinvoice_import",
            name="Import AutoInvoice",
            task_name="invoicing.autoinvoice_import",
            description="Shipped lines become AR invoices at the sales order price.",
            parameters=("business_unit", "date_from", "date_to", "batch_size"),
            run_permissions=("invoicing.run_autoinvoice",),
            # Hourly, with the largest chunks (an invoice per order, lines priced).
            running_limit=timedelta(minutes=15),
        ),
        ProcessDefinition(
            code="validate_ap_invoices",
            name="Validate AP Invoices",
            task_name="invoicing.validate_ap_invoices",
            description="Match entered AP invoices to PO and receipts; place or release holds.",
            parameters=("business_unit", "supplier", "date_from", "date_to", "batch_size"),
            run_permissions=("invoicing.validate_apinvoice",),
        ),
    ]
}


def limit_in_words(limit: timedelta) -> str:
    """A watchdog limit as operators read it: "15 min", "0.5 min"."""
    return f"{limit.total_seconds() / 60:g} min"


def processes_runnable_by(user) -> list[ProcessDefinition]:
    """The processes ``user`` may run, in the registry's order."""
    return [definition for definition in PROCESSES.values() if definition.may_be_run_by(user)]
