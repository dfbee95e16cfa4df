"""Small helpers of the admin tests."""

from django.urls import reverse

from tests.helpers import PROJECT_APPS

# The apps of master data and business documents, whose admin pages these tests cover:
# the project's but the run log, whose admin has rules of its own (its own tests).
DOMAIN_APPS = set(PROJECT_APPS) - {"processes"}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def changelist_url(model) -> str:
    return admin_url(model, "changelist")


def offered_actions(response) -> set[str]:
    """The action names of a changelist page's action menu."""
    form = response.context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()
