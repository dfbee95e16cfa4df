from django.urls import path

from . import views

app_name = "invoicing"

urlpatterns = [
    path("ap/", views.APInvoiceListView.as_view(), name="ap_list"),
    path("ap/create/", views.PurchaseOrderChoiceView.as_view(), name="ap_create"),
    path("ap/create/<int:pk>/", views.APInvoiceCreateView.as_view(), name="ap_create_for_po"),
    path("ap/<int:pk>/", views.APInvoiceDetailView.as_view(), name="ap_detail"),
    path("ap/<int:pk>/validate/", views.APInvoiceValidateView.as_view(), name="ap_validate"),
    path("ap/<int:pk>/pay/", views.APInvoicePayView.as_view(), name="ap_pay"),
    path("ap/holds/<int:pk>/release/", views.HoldReleaseView.as_view(), name="hold_release"),
    path("ar/", views.ARInvoiceListView.as_view(), name="ar_list"),
    path("ar/<int:pk>/", views.ARInvoiceDetailView.as_view(), name="ar_detail"),
    path(
        "ar/<int:pk>/print/",
        views.ARInvoiceDetailView.as_view(template_name="invoicing/ar_print.html"),
        name="ar_print",
    ),
    path("ar/<int:pk>/complete/", views.ARInvoiceCompleteView.as_view(), name="ar_complete"),
]
