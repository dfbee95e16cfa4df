"""Small helpers of the admin tests."""

from django.urls import reverse

# The apps of master data and business documents, whose admin pages the tests cover.
DOMAIN_APPS = {
    "catalog",
    "orders",
    "inventory",
    "procurement",
    "receiving",
    "shipping",
    "invoicing",
}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def changelist_url(model) -> str:
    return admin_url(model, "changelist")


def offered_actions(response) -> set[str]:
    """The action names of a changelist page's action menu."""
    form = response.context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()
