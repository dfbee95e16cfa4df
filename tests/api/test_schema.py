"""The OpenAPI schema and the documentation pages: OpenAPI 3.1, every endpoint, the token
scheme; Swagger UI's files from the sidecar under the portal's unchanged CSP."""

import re

import pytest

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/ap-invoices/", "get"),
    ("/api/ap-invoices/", "post"),
    ("/api/ap-invoices/{id}/", "get"),
    ("/api/ap-invoices/{id}/validate/", "post"),
    ("/api/ar-invoices/", "get"),
    ("/api/ar-invoices/{id}/", "get"),
    ("/api/ar-invoices/{id}/complete/", "post"),
    ("/api/order-lines/{id}/peg-trace/", "get"),
    ("/api/order-lines/{id}/re-promise/", "post"),
    ("/api/orders/", "get"),
    ("/api/orders/", "post"),
    ("/api/orders/{id}/", "get"),
    ("/api/orders/{id}/book/", "post"),
    ("/api/orders/import/", "post"),
    ("/api/pick-waves/", "post"),
    ("/api/pick-waves/{id}/", "get"),
    ("/api/process-runs/", "get"),
    ("/api/process-runs/", "post"),
    ("/api/process-runs/{id}/", "get"),
    ("/api/purchase-orders/", "get"),
    ("/api/purchase-orders/{id}/", "get"),
    ("/api/purchase-orders/{id}/approve/", "post"),
    ("/api/purchase-orders/{id}/reject/", "post"),
    ("/api/purchase-orders/{id}/submit/", "post"),
    ("/api/receipts/", "get"),
    ("/api/receipts/", "post"),
    ("/api/receipts/{id}/", "get"),
    ("/api/ship-notices/", "get"),
    ("/api/ship-notices/{id}/", "get"),
    ("/api/ship-notices/{id}/receive/", "post"),
    ("/api/shipments/", "get"),
    ("/api/shipments/{id}/", "get"),
    ("/api/shipments/{id}/ship-confirm/", "post"),
    ("/api/supplier/purchase-order-lines/{id}/acknowledge/", "post"),
    ("/api/supplier/purchase-orders/", "get"),
    ("/api/supplier/purchase-orders/{id}/", "get"),
    ("/api/supplier/purchase-orders/{id}/invoices/", "post"),
    ("/api/supplier/purchase-orders/{id}/ship-notices/", "post"),
}


def test_the_schema_is_openapi_3_1_with_every_endpoint(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["openapi"] == "3.1.0"
    found = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert found == OPERATIONS
    assert schema["components"]["securitySchemes"]["tokenAuth"]["type"] == "apiKey"
    line = schema["components"]["schemas"]["OrderLine"]["properties"]
    assert line["quantity"]["type"] == "string" and line["quantity"]["format"] == "decimal"


def test_swagger_ui_loads_only_the_portals_own_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "unsafe" not in response["Content-Security-Policy"]
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert "<script>" not in page and "<style" not in page and "style=" not in page
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle(" in script.content.decode()
