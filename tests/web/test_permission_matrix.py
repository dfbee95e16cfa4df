"""Acceptance 2 of the workbench issue: every role x every action URL of the portal.

The URLs are not listed by hand: they are read from the URL resolver, every named pattern
in the portal's namespaces (``NAMESPACES``), so a page added tomorrow is in the matrix
without touching this file. Each URL's arguments are filled with the documents of one
order driven through the whole cycle by the services (``documents``), and the expected
answer comes from the view itself:

- the view declares its roles: ``permission_required`` (read with
  ``get_permission_required()``, or the view's own ``has_permission()`` where it overrides
  it); a view that declares none fails ``test_every_action_url_declares_its_roles``
  (only the home dashboard, ``PUBLIC_TO_SIGNED_IN``, just needs a signed-in user);
- a user holding the permission gets 200 or 302, anyone else 403, the anonymous user a
  redirect to sign in;
- a page that answers GET is requested with GET; a POST-only action (a button) is posted
  with empty data, inside a savepoint rolled back afterwards, so no request changes what
  the next one sees.

The second test signs in a user of EU1 holding every workbench role: each URL naming a
US1 document answers 404 (never 403, which would confirm the document exists), and no
list page shows a US1 document number.
"""

import re
import traceback
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from b2b_portal.models import BusinessDocument
from b2b_portal.roles import ROLES
from catalog.units import business_units_of, works_in_every_unit
from invoicing.models import APStatus, ARInvoice, DebitMemoKind
from invoicing.services import (
    APLineInput,
    CreditLineInput,
    ap_debit_memo_create,
    ap_invoice_create,
    ap_invoice_validate,
    ar_credit_memo_create,
    ar_invoice_complete,
    autoinvoice_import,
)
from processes.models import ProcessRun
from processes.registry import PROCESSES
from processes.schedules import process_schedule_create
from processes.services import process_run_queue
from procurement.models import PurchaseOrderLine, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from suppliers.services import (
    ShipNoticeLineInput,
    line_acknowledge,
    ship_notice_create,
    supplier_invoice_create,
)
from tests.helpers import PROJECT_APPS, place_order, receive, ship
from tests.processes.support import schedule_post

pytestmark = pytest.mark.django_db

# Every namespace of the portal's own pages (the admin and the auth views are not in it).
NAMESPACES = [
    "orders",
    "procurement",
    "receiving",
    "shipping",
    "invoicing",
    "orchestration",
    "processes",
    "suppliers",
]
# Pages that only need a signed-in user.
PUBLIC_TO_SIGNED_IN = ["home"]
ROLE_USERS = [spec["username"] for spec in ROLES.values()]
ALLOWED = (200, 302)

# URL word -> model, where the word is not the model's name (``purchase_order_pk`` and
# ``purchase-orders/<int:pk>/`` need no entry); ``namespace:word`` entries win.
PARAMETER_MODELS = {
    "procurement:line": "procurement.RequisitionLine",  # the Document Builder's lines
    "order": "orders.SalesOrder",
    "so": "orders.SalesOrder",
    "line": "orders.SalesOrderLine",
    "so_line": "orders.SalesOrderLine",
    "order_line": "orders.SalesOrderLine",
    "po": "procurement.PurchaseOrder",
    "po_line": "procurement.PurchaseOrderLine",
    "req_line": "procurement.RequisitionLine",
    "wave": "shipping.PickWave",
    "hold": "invoicing.APInvoiceHold",
    "ap": "invoicing.APInvoice",
    "ar": "invoicing.ARInvoice",
    "run": "processes.ProcessRun",
}
# URL name -> {keyword: model} where neither the view nor the path says which model it is.
URL_MODELS = {
    "invoicing:ap_create_for_po": {"pk": "procurement.PurchaseOrder"},  # ap/create/<int:pk>/
    "invoicing:ap_line_adjust": {"pk": "invoicing.APInvoiceLine"},  # ap/lines/<int:pk>/adjust/
}


# --------------------------------------------------------------------------- the world


@pytest.fixture
def documents(world):
    """One order of 2 servers carried through every step, one document of each kind:
    order, line, supply order, requisition, PO, receipt, reservation, pick wave, shipment,
    an AP invoice on hold (price over the PO's), an AR invoice (completed) and its credit
    memo, an AP debit memo, a process run and a schedule of US1."""
    users = world.users
    order = place_order(world, ("SRV-DL380-G11", "2"))
    orders_progress(actor=users["manager"], sales_order=order)
    supply_orders_generate(actor=users["buyer"])
    [purchase_order] = purchase_orders_create_from_requisitions(
        actor=users["buyer"],
        requisition_lines=list(RequisitionLine.objects.filter(sales_order_line__order=order)),
    )
    purchase_order = purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
    purchase_order = purchase_order_approve(actor=users["buyer"], purchase_order=purchase_order)
    po_line = PurchaseOrderLine.objects.get(purchase_order=purchase_order)
    # The supplier's side: an acknowledgement and a ship notice (received below).
    supplier_side(world, po_line)
    receive(world, po_line, "2")
    ship(world)
    ap_invoice = ap_invoice_create(
        actor=users["ap"],
        purchase_order=purchase_order,
        supplier_invoice_number="NW-MATRIX-1",
        invoice_date=timezone.localdate() - timedelta(days=1),
        lines=[
            APLineInput(
                purchase_order_line=po_line, quantity=Decimal("2"), unit_price=Decimal("45000")
            )
        ],
    )
    ap_invoice = ap_invoice_validate(actor=users["ap"], invoice=ap_invoice)
    assert ap_invoice.status == APStatus.ON_HOLD and ap_invoice.holds.exists()
    supplier_invoice_create(
        actor=users["supplier"],
        purchase_order=purchase_order,
        supplier_invoice_number="NW-MATRIX-S1",
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    autoinvoice_import(actor=users["ar"])
    # The corrections' documents: a credit memo (of a completed invoice) and a debit memo.
    ar_invoice = ar_invoice_complete(actor=users["ar"], invoice=ARInvoice.objects.get())
    ar_credit_memo_create(
        actor=users["ar"],
        invoice=ar_invoice,
        reason="price dispute",
        lines=[CreditLineInput(invoice_line=ar_invoice.lines.get(), amount=Decimal("100"))],
    )
    ap_debit_memo_create(
        actor=users["ap"],
        supplier=purchase_order.supplier,
        purchase_order=purchase_order,
        business_unit=purchase_order.business_unit,
        kind=DebitMemoKind.PRICE_DISPUTE,
        amount=Decimal("100"),
        reason="overcharged",
    )
    process_run_queue(
        process="progress_order",
        parameters={"business_unit": world.units["US1"].pk},
        requested_by=users["ops"],
    )
    process_schedule_create(
        actor=users["ops"],
        process="late_supply",
        parameters={"business_unit": world.units["US1"].pk},
        daily_at=time(6, 0),
    )
    return world


def supplier_side(world, po_line):
    supplier, today = world.users["supplier"], timezone.localdate()
    line_acknowledge(actor=supplier, purchase_order_line=po_line, kind="ACCEPTED")
    ship_notice_create(
        actor=supplier,
        purchase_order=po_line.purchase_order,
        ship_date=today,
        expected_arrival=today + timedelta(days=2),
        carrier="UPS",
        tracking_number="1Z-MATRIX",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
    )


def first_object(model):
    rows = model._default_manager.order_by("pk")
    if model is PeriodicTask:
        # The default schedules run over every unit (anyone with the role may pause them);
        # the unit test needs one of US1's, which the `documents` fixture makes.
        rows = rows.filter(kwargs__contains='"business_unit"')
    found = rows.first()
    assert found is not None, (
        f"the `documents` fixture makes no {model._meta.label}: extend it so that the URLs "
        "taking one can be tested"
    )
    return found


def model_called(namespace: str, word: str):
    """The project model a URL word names: ``po``, ``purchase-orders``, ``receipt``..."""
    word = word.lower().replace("-", "_")
    for candidate in (word, word.removesuffix("s")):
        label = PARAMETER_MODELS.get(f"{namespace}:{candidate}") or PARAMETER_MODELS.get(candidate)
        if label:
            return apps.get_model(label)
        for app_label in PROJECT_APPS:
            for model in apps.get_app_config(app_label).get_models():
                if model._meta.model_name == candidate.replace("_", ""):
                    return model
    return None


def view_model(view_class, initkwargs):
    model = initkwargs.get("model") or getattr(view_class, "model", None)
    if model is None and getattr(view_class, "queryset", None) is not None:
        model = view_class.queryset.model
    return model


def model_for(name: str, parameter: str, route: str, view_class, initkwargs):
    """Which model a URL keyword names, in this order: ``URL_MODELS``; the view's own model
    for ``pk`` or ``id``; the keyword's name (``order_pk``, ``po_line_id``); the path
    segment before it (``purchase-orders/<int:pk>/receive/``)."""
    namespace = name.split(":")[0]
    if parameter in URL_MODELS.get(name, {}):
        return apps.get_model(URL_MODELS[name][parameter])
    if parameter in ("pk", "id"):
        model = view_model(view_class, initkwargs)
    else:
        model = model_called(namespace, re.sub(r"_?(pk|id)$", "", parameter))
    if model is None:
        before = route.split(f"%({parameter})s")[0].strip("/").split("/")
        model = model_called(namespace, before[-1]) if before[-1] else None
    return model


# ----------------------------------------------------------------------------- the URLs


@dataclass
class ActionUrl:
    name: str
    url: str
    view_class: type | None
    initkwargs: dict
    kwargs: dict  # the URL's arguments
    # Set when the view declares no role (see test_every_action_url_declares_its_roles).
    problem: str = ""

    @property
    def method(self) -> str:
        """``get`` for a page, ``post`` for a POST-only action, ``""`` for neither."""
        if self.view_class is None:
            return "get"  # a function view: reported as undeclared anyway
        for method in ("get", "post"):
            if method in self.view_class.http_method_names and hasattr(self.view_class, method):
                return method
        return ""

    def view_for(self, user):
        """The view set up for this URL (with the pattern's extra kwargs) and this user."""
        request = getattr(RequestFactory(), self.method or "get")(self.url)
        request.user = user
        view = self.view_class(**self.initkwargs)
        view.setup(request, **resolve(self.url).kwargs)
        return view

    @property
    def custom_check(self) -> bool:
        """The view decides in its own ``has_permission`` (say, one of several roles)."""
        return self.view_class.has_permission is not PermissionRequiredMixin.has_permission

    def required_permissions(self) -> tuple[str, ...]:
        try:
            return tuple(self.view_for(AnonymousUser()).get_permission_required())
        except ImproperlyConfigured:
            return ()

    def allows(self, user) -> bool:
        """The view's own answer: does this user hold the role the view asks for?"""
        if self.name in PUBLIC_TO_SIGNED_IN:
            return True
        if self.custom_check:
            return self.view_for(user).has_permission()
        return user.has_perms(self.required_permissions())


def named_patterns():
    """(namespace:name, route, [keyword], {keyword: converter}) for every named URL of
    ``NAMESPACES``; the route is the reverse format (``procurement/purchase-orders/%(pk)s/``)."""
    resolver = get_resolver()
    found = []
    for namespace in NAMESPACES:
        if namespace not in resolver.namespace_dict:
            continue
        _prefix, sub_resolver = resolver.namespace_dict[namespace]
        for name, possibilities in sub_resolver.reverse_dict.lists():
            if not isinstance(name, str):
                continue  # the view callables are keys too
            for possibility, _pattern, _defaults, converters in possibilities:
                for route, parameters in possibility:
                    found.append((f"{namespace}:{name}", route, list(parameters), converters))
    return found


def build_action_urls() -> list[ActionUrl]:
    """Every named URL, its arguments filled from the ``documents`` fixture's world."""
    home = resolve(reverse("home")).func
    urls = [ActionUrl("home", reverse("home"), home.view_class, home.view_initkwargs, {})]
    for name, route, parameters, converters in named_patterns():
        kwargs, problem = {}, ""
        # The view (and its model) comes from the pattern itself: reverse a sample first.
        sample = reverse(name, kwargs={p: _sample(converters.get(p)) for p in parameters})
        match = resolve(sample)
        view_class = getattr(match.func, "view_class", None)
        initkwargs = getattr(match.func, "view_initkwargs", {})
        for parameter in parameters:
            converter = converters.get(parameter)
            if not isinstance(converter, IntConverter):
                problem = (
                    f"URL keyword {parameter!r} is not an <int:...>: add a value for it "
                    "to this test"
                )
                break
            model = model_for(name, parameter, route, view_class, initkwargs)
            if model is None:
                problem = (
                    f"cannot tell which model URL keyword {parameter!r} names: set the view's "
                    "`model` or add it to URL_MODELS"
                )
                break
            kwargs[parameter] = first_object(model).pk
        url = reverse(name, kwargs=kwargs) if not problem else sample
        action = ActionUrl(name, url, view_class, initkwargs, kwargs, problem)
        if not problem:
            action.problem = declared_roles_problem(action)
        urls.append(action)
    return sorted(urls, key=lambda action: action.name)


def _sample(converter):
    return 1 if isinstance(converter, IntConverter) else "x"


def declared_roles_problem(action: ActionUrl) -> str:
    if action.name in PUBLIC_TO_SIGNED_IN:
        return ""
    if action.view_class is None:
        return "not a class-based view: its roles cannot be read (use RoleRequiredMixin)"
    if not issubclass(action.view_class, PermissionRequiredMixin):
        return f"{action.view_class.__name__} declares no role (use RoleRequiredMixin)"
    if not action.method:
        return f"{action.view_class.__name__} answers neither GET nor POST"
    if not action.custom_check and not action.required_permissions():
        return f"{action.view_class.__name__} sets no permission_required"
    return ""


@pytest.fixture
def action_urls(documents):
    return build_action_urls()


def ask(client, action: ActionUrl):
    """GET, or POST with empty data for a POST-only action, rolled back afterwards.

    Returns the status code, or the exception's text when the view raised.
    """
    savepoint = transaction.savepoint()
    try:
        response = getattr(client, action.method)(action.url, {})
    except Exception as error:
        # The last frame in the project's code, not in Django's.
        frames = traceback.extract_tb(error.__traceback__)
        ours = [f for f in frames if "site-packages" not in f.filename] or frames
        return f"raised {error!r} at {ours[-1].filename}:{ours[-1].lineno}"
    finally:
        transaction.savepoint_rollback(savepoint)
    return response


# ---------------------------------------------------------------------------- the tests


def test_the_resolver_walk_finds_the_portal_pages(action_urls):
    names = {action.name for action in action_urls}
    assert {"home", "processes:run_list", "processes:run_detail", "processes:schedule"} <= names
    assert not any(name.startswith(("admin:", "login", "logout")) for name in names)
    detail = next(action for action in action_urls if action.name == "processes:run_detail")
    assert detail.kwargs and detail.url.startswith("/processes/runs/")


def test_every_action_url_declares_its_roles(action_urls):
    problems = [
        f"{action.name} ({action.url}): {action.problem}"
        for action in action_urls
        if action.problem
    ]
    assert not problems, "Every page is role-bound:\n" + "\n".join(problems)


def test_anonymous_users_are_sent_to_sign_in(client, action_urls):
    wrong = []
    for action in action_urls:
        response = ask(client, action)
        if isinstance(response, str) or response.status_code != 302:
            wrong.append(f"{action.method.upper()} {action.url} ({action.name}): {response}")
        elif not response["Location"].startswith(reverse("login")):
            wrong.append(f"{action.url} ({action.name}) redirects to {response['Location']}")
    assert not wrong, "Anonymous users must be sent to sign in:\n" + "\n".join(wrong)


@pytest.mark.parametrize("username", ROLE_USERS)
def test_each_role_gets_exactly_its_pages(client, documents, action_urls, username):
    user = documents.users[username]
    client.force_login(user)
    wrong = []
    for action in action_urls:
        if action.problem:
            continue  # reported by test_every_action_url_declares_its_roles
        allowed = action.allows(user)
        response = ask(client, action)
        status = response if isinstance(response, str) else response.status_code
        if (allowed and status not in ALLOWED) or (not allowed and status != 403):
            wrong.append(
                f"{action.method.upper()} {action.url} ({action.name}): got {status}, expected "
                f"{'200/302' if allowed else '403'} "
                f"(needs {', '.join(action.required_permissions()) or 'sign-in'})"
            )
    assert not wrong, f"{username}:\n" + "\n".join(wrong)


@pytest.fixture
def eu1_user(documents):
    """A user of EU1 only who holds every workbench role (not the administrator's)."""
    user = get_user_model().objects.create_user(username="eu-everything", password="x")
    user.groups.set(Group.objects.filter(name__in=[r for r in ROLES if r != "Administrator"]))
    documents.units["EU1"].members.add(user)
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def test_another_units_documents_are_404(client, documents, action_urls, eu1_user):
    client.force_login(eu1_user)
    documents_urls = [
        action
        for action in action_urls
        if action.kwargs and action.name.split(":")[0] in NAMESPACES
    ]
    wrong = []
    for action in documents_urls:
        response = ask(client, action)
        status = response if isinstance(response, str) else response.status_code
        if status != 404:
            wrong.append(f"{action.method.upper()} {action.url} ({action.name}): got {status}")
    assert not wrong, "A US1 document must be a 404 for an EU1 user:\n" + "\n".join(wrong)

    # Lists show none of US1's documents either.
    numbers = [
        str(obj)
        for model in apps.get_models()
        if issubclass(model, BusinessDocument) or model is ProcessRun
        for obj in model._default_manager.all()
    ]
    assert numbers
    shown = []
    for action in action_urls:
        if action.kwargs or action.method != "get" or action.problem:
            continue
        if action.name.split(":")[0] not in NAMESPACES:
            continue
        response = ask(client, action)
        if isinstance(response, str) or response.status_code != 200:
            continue
        content = response.content.decode()
        shown += [f"{action.url} shows {number}" for number in numbers if number in content]
    assert not shown, "\n".join(shown)


def test_a_post_without_its_csrf_token_is_refused(documents):
    """The matrix posts without a token (the test client skips the check); the portal
    itself refuses such a POST."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(documents.users["ops"])
    response = client.post(
        reverse("processes:schedule"), {"process": "progress_order", "repeat": "once"}
    )
    assert response.status_code == 403
    assert b"CSRF" in response.content


@pytest.mark.parametrize("unit_code", ["", "US1", "EU1", "unknown"])
@pytest.mark.parametrize("username", ROLE_USERS)
def test_schedule_new_process_with_every_business_unit_value(client, world, username, unit_code):
    """Whoever posts, whatever the unit: a run is made only by a role that may run the
    process, only for a unit the user works in, and over every unit only by a user who
    works in every unit. The run log then shows it to that user."""
    user = world.users[username]
    client.force_login(user)
    units = {"": "", "US1": world.units["US1"].pk, "EU1": world.units["EU1"].pk}
    data = schedule_post(process="autoinvoice_import", business_unit=units.get(unit_code, 999_999))
    response = client.post(reverse("processes:schedule"), data)
    may_run = PROCESSES["autoinvoice_import"].may_be_run_by(user)
    allowed_unit = unit_code in [u.code for u in business_units_of(user)] or (
        unit_code == "" and works_in_every_unit(user)
    )
    runs = list(ProcessRun.objects.all())
    if not user.has_perm("processes.view_processrun"):
        assert response.status_code == 403
    if may_run and allowed_unit:
        assert response.status_code == 302
        [run] = runs
        assert run.parameters.get("business_unit") == (units[unit_code] or None)
        listing = client.get(reverse("processes:run_list"))
        assert run in listing.context["object_list"]
    else:
        assert response.status_code in (200, 403)
        assert runs == []
