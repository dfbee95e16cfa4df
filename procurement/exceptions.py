from b2b_portal.errors import ValidationRefused


class NoSourcingRule(ValidationRefused):
    """No sourcing rule, active supplier or purchasable item stands behind a supply order."""
