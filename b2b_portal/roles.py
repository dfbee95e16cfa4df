"""The roles of the portal and the permissions each one holds.

Each role is a Django group of the same name; ``role_group`` creates it from this table
(``load_demo_data`` and the tests' factories both use it). A permission is
``app_label.codename``; ``app.*`` means every permission of the app.
"""

from django.contrib.auth.models import Group, Permission

VIEW_MASTER_DATA = [
    "catalog.view_businessunit",
    "catalog.view_item",
    "catalog.view_customer",
    "catalog.view_supplier",
    "catalog.view_suppliersite",
    "catalog.view_warehouse",
]
VIEW_ORDERS = ["orders.view_salesorder", "orders.view_salesorderline"]
VIEW_SUPPLY = [
    "procurement.view_supplyorder",
    "procurement.view_requisition",
    "procurement.view_requisitionline",
    "procurement.view_purchaseorder",
    "procurement.view_purchaseorderline",
    "procurement.view_sourcingrule",
]
VIEW_FULFILMENT = [
    "receiving.view_receipt",
    "receiving.view_receiptline",
    "inventory.view_onhandbalance",
    "inventory.view_reservation",
    "inventory.view_inventorytransaction",
    "shipping.view_pickwave",
    "shipping.view_shipment",
    "shipping.view_shipmentline",
]

ROLES: dict[str, dict] = {
    "Order Entry Clerk": {
        "username": "clerk",
        "permissions": [
            *VIEW_MASTER_DATA,
            *VIEW_ORDERS,
            "orders.add_salesorder",
            "orders.change_salesorder",
            "orders.add_salesorderline",
            "orders.change_salesorderline",
            "orders.book_salesorder",
            "procurement.view_supplyorder",
        ],
    },
    "Order Manager": {
        "username": "manager",
        "permissions": [
            *VIEW_MASTER_DATA,
            "orders.*",
            *VIEW_SUPPLY,
            *VIEW_FULFILMENT,
            "procurement.progress_salesorderline",
        ],
    },
    "Buyer": {
        "username": "buyer",
        "permissions": [
            *VIEW_MASTER_DATA,
            *VIEW_ORDERS,
            *VIEW_SUPPLY,
            "procurement.add_purchaseorder",
            "procurement.change_purchaseorder",
            "procurement.change_purchaseorderline",
            "procurement.approve_purchaseorder",
            "procurement.add_sourcingrule",
            "procurement.change_sourcingrule",
            "orchestration.view_businessexception",
            "receiving.view_receipt",
        ],
    },
    "Receiving Agent": {
        "username": "receiver",
        "permissions": [
            *VIEW_MASTER_DATA,
            "procurement.view_purchaseorder",
            "procurement.view_purchaseorderline",
            "receiving.add_receipt",
            "receiving.view_receipt",
            "receiving.view_receiptline",
            "inventory.view_reservation",
            "inventory.view_onhandbalance",
        ],
    },
    "Shipping Clerk": {
        "username": "shipper",
        "permissions": [
            *VIEW_MASTER_DATA,
            *VIEW_ORDERS,
            "shipping.add_pickwave",
            "shipping.view_pickwave",
            "shipping.view_shipment",
            "shipping.view_shipmentline",
            "shipping.confirm_shipment",
            "inventory.view_reservation",
            "inventory.view_onhandbalance",
        ],
    },
    "AP Accountant": {
        "username": "ap",
        "permissions": [
            *VIEW_MASTER_DATA,
            "procurement.view_purchaseorder",
            "procurement.view_purchaseorderline",
            "receiving.view_receipt",
            "receiving.view_receiptline",
            "invoicing.add_apinvoice",
            "invoicing.change_apinvoice",
            "invoicing.view_apinvoice",
            "invoicing.view_apinvoiceline",
            "invoicing.view_apinvoicehold",
            "invoicing.validate_apinvoice",
            "invoicing.release_hold",
            "invoicing.pay_apinvoice",
        ],
    },
    "AR Accountant": {
        "username": "ar",
        "permissions": [
            *VIEW_MASTER_DATA,
            *VIEW_ORDERS,
            "shipping.view_shipment",
            "shipping.view_shipmentline",
            "invoicing.view_arinvoice",
            "invoicing.view_arinvoiceline",
            "invoicing.change_arinvoice",
            "invoicing.complete_arinvoice",
            "invoicing.run_autoinvoice",
            # Import AutoInvoice is run from the Scheduled Processes page.
            "processes.view_processrun",
        ],
    },
    "Operations": {
        "username": "ops",
        "permissions": [
            *VIEW_MASTER_DATA,
            *VIEW_ORDERS,
            *VIEW_SUPPLY,
            *VIEW_FULFILMENT,
            "processes.*",
            "django_celery_beat.*",
        ],
    },
    # A supplier's own user (suppliers.SupplierContact names the supplier): that supplier's
    # POs, acknowledgements, ship notices and invoices, and no other page.
    "Supplier": {"username": "supplier", "permissions": ["suppliers.collaborate_supplier"]},
    "Administrator": {"username": "admin", "permissions": [], "superuser": True},
}

DEMO_PASSWORD = "demo1234"


def role_group(role: str) -> Group:
    """The group of ``role`` (created when missing) holding exactly the role's permissions."""
    permissions = Permission.objects.none()
    for name in ROLES[role]["permissions"]:
        app_label, codename = name.split(".")
        matching = Permission.objects.filter(content_type__app_label=app_label)
        if codename != "*":
            matching = matching.filter(codename=codename)
        permissions |= matching
    group, _ = Group.objects.get_or_create(name=role)
    group.permissions.set(permissions)
    return group
