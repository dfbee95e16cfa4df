"""The Peg Trace of a line and the run log through the API, as their pages show them."""

import pytest

from processes.models import ProcessRun, RunStatus
from tests.api.conftest import token_client
from tests.helpers import place_order, unit_user

pytestmark = pytest.mark.django_db


def test_the_peg_trace_of_a_line_on_a_po(api_as, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()
    response = api_as("buyer").get(f"/api/order-lines/{line.pk}/peg-trace/")
    assert response.status_code == 200
    trace = response.json()
    assert trace["order"] == order.number and trace["line_number"] == 1
    stages = {stage["title"]: stage["documents"] for stage in trace["stages"]}
    [so_line] = stages["Sales order line"]
    assert so_line["status"] == "Awaiting Supply" and so_line["quantity"] == "2.000"
    assert so_line["url"] == f"/orders/{order.pk}/"
    [po] = stages["Purchase order"]
    assert po["number"].startswith(po_line.purchase_order.number)
    assert po["url"] == po_line.purchase_order.get_absolute_url()
    assert [period["status"] for period in trace["periods"]][:2] == ["Entered", "Booked"]
    assert trace["periods"][0]["moved_by"] == "clerk"
    # The clerk may not view POs: the trace shows the PO without its link, as the page does.
    as_clerk = api_as("clerk").get(f"/api/order-lines/{line.pk}/peg-trace/").json()
    clerk_stages = {stage["title"]: stage["documents"] for stage in as_clerk["stages"]}
    assert clerk_stages["Purchase order"][0]["url"] is None


def test_queueing_a_run_and_reading_the_log(api_as, world):
    ops = api_as("ops")
    order = place_order(world, ("SRV-DL380-G11", "1"))
    response = ops.post(
        "/api/process-runs/",
        {"process": "progress_order", "business_unit": "US1", "sales_order": order.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    run = ProcessRun.objects.get(pk=body["id"])
    assert run.requested_by == world.users["ops"] and body["requested_by"] == "ops"
    assert run.parameters == {
        "business_unit": world.units["US1"].pk,
        "sales_order": order.pk,
        "batch_size": 500,
    }
    listed = ops.get("/api/process-runs/", {"process": "progress_order"}).json()
    booking_run = ProcessRun.objects.exclude(pk=run.pk).get(process="progress_order")
    assert [item["id"] for item in listed["results"]] == [run.pk, booking_run.pk]
    assert ops.get("/api/process-runs/", {"process": "late_supply"}).json()["count"] == 0
    detail = ops.get(f"/api/process-runs/{run.pk}/").json()
    assert detail["events"][0]["kind"] == "QUEUED" and detail["events"][0]["actor"] == "ops"
    assert detail["status"] in RunStatus.values


def test_a_runs_parameters_are_checked(api_as, world):
    ops = api_as("ops")
    wrong = ops.post("/api/process-runs/", {"process": "late_supply", "item": "SRV-DL380-G11"})
    assert wrong.status_code == 400
    assert wrong.json() == {"item": ["Does not apply to Late Supply."]}
    no_unit = ops.post("/api/process-runs/", {"process": "progress_order"})
    assert no_unit.status_code == 403
    assert no_unit.json() == {
        "detail": "Choose the business unit the process runs for: you do not work in every unit."
    }
    assert not ProcessRun.objects.exists()


def test_another_units_run_is_not_found(api_as, world):
    ops = api_as("ops")
    run_id = ops.post(
        "/api/process-runs/", {"process": "progress_order", "business_unit": "US1"}
    ).json()["id"]
    eu_ops = token_client(unit_user(world, "eu_ops", "Operations"))
    assert eu_ops.get(f"/api/process-runs/{run_id}/").status_code == 404
    assert eu_ops.get("/api/process-runs/").json()["count"] == 0
    refused = eu_ops.post(
        "/api/process-runs/", {"process": "progress_order", "business_unit": "US1"}
    )
    assert refused.status_code == 400  # US1 is not among the codes eu_ops may name
