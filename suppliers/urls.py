from django.urls import path

from . import views

app_name = "suppliers"

urlpatterns = [
    path("", views.PurchaseOrderListView.as_view(), name="po_list"),
    path("purchase-orders/<int:pk>/", views.PurchaseOrderDetailView.as_view(), name="po_detail"),
    path(
        "purchase-orders/<int:pk>/lines/<int:po_line>/acknowledge/",
        views.LineAcknowledgeView.as_view(),
        name="acknowledge",
    ),
    path(
        "purchase-orders/<int:pk>/ship-notice/",
        views.ShipNoticeCreateView.as_view(),
        name="ship_notice_create",
    ),
    path(
        "purchase-orders/<int:pk>/invoice/",
        views.SupplierInvoiceCreateView.as_view(),
        name="invoice_create",
    ),
    path("ship-notices/<int:pk>/", views.ShipNoticeDetailView.as_view(), name="ship_notice"),
]
