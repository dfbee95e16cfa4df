"""The scheduled processes, their parameters and who may run them.

This app sits below every other in the import table, so it names each process's Celery
task by its registered name (``app.task``) instead of importing the app that owns it.

Who may run which process is decided here and nowhere else: operations run every process;
each process names the permissions of the other roles whose work it moves on. The
Scheduled Processes page offers ``processes_runnable_by(user)``, the admin's buttons ask
``may_be_run_by``, and ``process_run_queue`` refuses anyone else.
"""

from dataclasses import dataclass

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
        ),
        ProcessDefinition(
            code="autoinvoice_import",
            name="Import AutoInvoice",
            task_name="invoicing.autoinvoice_import",
            description="Shipped lines become AR invoices at the sales order price.",
            parameters=("business_unit", "date_from", "date_to", "batch_size"),
            run_permissions=("invoicing.run_autoinvoice",),
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


def processes_runnable_by(user) -> list[ProcessDefinition]:
    """The processes ``user`` may run, in the registry's order."""
    return [definition for definition in PROCESSES.values() if definition.may_be_run_by(user)]
