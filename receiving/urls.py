from django.urls import path

from . import views

app_name = "receiving"

urlpatterns = [
    path("", views.ReceiveExpectedShipmentsView.as_view(), name="expected"),
    path("purchase-orders/<int:pk>/receive/", views.ReceiveView.as_view(), name="receive"),
    path(
        "ship-notices/<int:ship_notice>/receive/",
        views.ReceiveShipNoticeView.as_view(),
        name="receive_ship_notice",
    ),
    path("receipts/", views.ReceiptListView.as_view(), name="receipt_list"),
    path("receipts/<int:pk>/", views.ReceiptDetailView.as_view(), name="receipt_detail"),
]
