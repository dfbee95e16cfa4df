from django.urls import path

from . import supply_views, views

app_name = "procurement"

urlpatterns = [
    path("requisitions/", views.ProcessRequisitionsView.as_view(), name="requisitions"),
    path(
        "requisitions/document-builder/",
        views.DocumentBuilderView.as_view(),
        name="document_builder",
    ),
    path(
        "requisitions/document-builder/add/",
        views.DocumentBuilderAddView.as_view(),
        name="document_builder_add",
    ),
    path(
        "requisitions/document-builder/remove/<int:req_line>/",
        views.DocumentBuilderRemoveView.as_view(),
        name="document_builder_remove",
    ),
    path(
        "requisitions/document-builder/clear/",
        views.DocumentBuilderClearView.as_view(),
        name="document_builder_clear",
    ),
    path("purchase-orders/", views.PurchaseOrderListView.as_view(), name="po_list"),
    path("purchase-orders/<int:pk>/", views.PurchaseOrderDetailView.as_view(), name="po_detail"),
    path(
        "purchase-orders/<int:pk>/submit/",
        views.PurchaseOrderSubmitView.as_view(),
        name="po_submit",
    ),
    path(
        "purchase-orders/<int:pk>/approve/",
        views.PurchaseOrderApproveView.as_view(),
        name="po_approve",
    ),
    path(
        "purchase-orders/<int:pk>/reject/",
        views.PurchaseOrderRejectView.as_view(),
        name="po_reject",
    ),
    path(
        "purchase-orders/<int:pk>/cancel/",
        supply_views.PurchaseOrderCancelView.as_view(),
        name="po_cancel",
    ),
    path(
        "purchase-orders/<int:pk>/note/",
        views.PurchaseOrderNoteView.as_view(),
        name="po_note",
    ),
    path("po-lines/<int:pk>/edit/", views.PurchaseOrderLineEditView.as_view(), name="po_line_edit"),
    path(
        "po-lines/<int:pk>/cancel/",
        supply_views.PurchaseOrderLineCancelView.as_view(),
        name="po_line_cancel",
    ),
    path(
        "requisition-lines/<int:pk>/cancel/",
        supply_views.RequisitionLineCancelView.as_view(),
        name="requisition_line_cancel",
    ),
    path(
        "supply-orders/<int:pk>/resource/",
        supply_views.SupplyOrderResourceView.as_view(),
        name="supply_resource",
    ),
    path(
        "purchase-orders/<int:pk>/print/", views.PurchaseOrderPrintView.as_view(), name="po_print"
    ),
    path(
        "purchase-orders/<int:pk>/pdf/",
        views.PurchaseOrderPrintView.as_view(pdf=True),
        name="po_pdf",
    ),
]
