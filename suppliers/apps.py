from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Supplier collaboration"

    def ready(self):
        """Every receipt fills the ship notices of its PO (suppliers.services.receipts)."""
        from receiving.services import RECEIPT_FOLLOWERS

        from .services.receipts import ship_notices_follow_receipt

        if ship_notices_follow_receipt not in RECEIPT_FOLLOWERS:
            RECEIPT_FOLLOWERS.append(ship_notices_follow_receipt)
