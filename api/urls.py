from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import (
    buying_views,
    docs,
    invoicing_views,
    pages,
    receiving_views,
    shipping_views,
    supplier_views,
    views,
)

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("orders", views.SalesOrderViewSet, basename="order")
router.register("order-lines", views.OrderLineViewSet, basename="order-line")
router.register("process-runs", views.ProcessRunViewSet, basename="process-run")
router.register("purchase-orders", buying_views.PurchaseOrderViewSet, basename="purchase-order")
router.register("ship-notices", receiving_views.ShipNoticeViewSet, basename="ship-notice")
router.register("receipts", receiving_views.ReceiptViewSet, basename="receipt")
router.register(
    "supplier/purchase-orders",
    supplier_views.SupplierPurchaseOrderViewSet,
    basename="supplier-purchase-order",
)
router.register(
    "supplier/purchase-order-lines", supplier_views.SupplierLineViewSet, basename="supplier-line"
)
router.register("pick-waves", shipping_views.PickWaveViewSet, basename="pick-wave")
router.register("shipments", shipping_views.ShipmentViewSet, basename="shipment")
router.register("ap-invoices", invoicing_views.APInvoiceViewSet, basename="ap-invoice")
router.register("ar-invoices", invoicing_views.ARInvoiceViewSet, basename="ar-invoice")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("redoc/", docs.RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("tokens/", pages.TokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.TokenRevokeView.as_view(), name="token_revoke"),
    path("", include(router.urls)),
]
