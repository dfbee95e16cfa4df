from django.urls import path

from . import correction_views as corrections
from . import views

app_name = "invoicing"

urlpatterns = [
    path("ap/", views.APInvoiceListView.as_view(), name="ap_list"),
    path("ap/create/", views.PurchaseOrderChoiceView.as_view(), name="ap_create"),
    path("ap/create/<int:pk>/", views.APInvoiceCreateView.as_view(), name="ap_create_for_po"),
    path("ap/<int:pk>/", views.APInvoiceDetailView.as_view(), name="ap_detail"),
    path("ap/<int:pk>/pdf/", views.APInvoiceDetailView.as_view(pdf=True), name="ap_pdf"),
    path("ap/<int:pk>/validate/", views.APInvoiceValidateView.as_view(), name="ap_validate"),
    path("ap/<int:pk>/pay/", views.APInvoicePayView.as_view(), name="ap_pay"),
    path("ap/holds/<int:pk>/release/", views.HoldReleaseView.as_view(), name="hold_release"),
    path("ap/<int:pk>/cancel/", corrections.APInvoiceCancelView.as_view(), name="ap_cancel"),
    path(
        "ap/lines/<int:pk>/adjust/", corrections.APLineAdjustView.as_view(), name="ap_line_adjust"
    ),
    path(
        "ap/holds/<int:pk>/adjust-to-received/",
        corrections.HoldAdjustToReceivedView.as_view(),
        name="hold_adjust_to_received",
    ),
    path(
        "ap/debit-memos/new/", corrections.DebitMemoCreateView.as_view(), name="debit_memo_create"
    ),
    path(
        "ap/debit-memos/<int:pk>/",
        corrections.DebitMemoDetailView.as_view(),
        name="debit_memo_detail",
    ),
    path("ar/", views.ARInvoiceListView.as_view(), name="ar_list"),
    path("ar/complete/", views.ARInvoicesCompleteView.as_view(), name="ar_complete_selected"),
    path("ar/<int:pk>/", views.ARInvoiceDetailView.as_view(), name="ar_detail"),
    path(
        "ar/<int:pk>/print/",
        views.ARInvoiceDetailView.as_view(template_name="invoicing/ar_print.html"),
        name="ar_print",
    ),
    path(
        "ar/<int:pk>/pdf/",
        views.ARInvoiceDetailView.as_view(template_name="invoicing/ar_print.html", pdf=True),
        name="ar_pdf",
    ),
    path("ar/<int:pk>/complete/", views.ARInvoiceCompleteView.as_view(), name="ar_complete"),
    path("ar/<int:pk>/cancel/", corrections.ARInvoiceCancelView.as_view(), name="ar_cancel"),
    path(
        "ar/<int:pk>/credit/", corrections.CreditMemoCreateView.as_view(), name="credit_memo_create"
    ),
    path(
        "ar/credit-memos/<int:pk>/",
        corrections.CreditMemoDetailView.as_view(),
        name="credit_memo_detail",
    ),
    path(
        "ar/credit-memos/<int:pk>/print/",
        corrections.CreditMemoDetailView.as_view(template_name="invoicing/credit_memo_print.html"),
        name="credit_memo_print",
    ),
    path(
        "ar/credit-memos/<int:pk>/pdf/",
        corrections.CreditMemoDetailView.as_view(
            template_name="invoicing/credit_memo_print.html", pdf=True
        ),
        name="credit_memo_pdf",
    ),
]
