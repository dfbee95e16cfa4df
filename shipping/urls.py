from django.urls import path

from . import views

app_name = "shipping"

urlpatterns = [
    path("release/", views.PickReleaseView.as_view(), name="release"),
    path("waves/<int:pk>/", views.PickWaveDetailView.as_view(), name="wave_detail"),
    path("waves/<int:pk>/pdf/", views.PickWaveDetailView.as_view(pdf=True), name="wave_pdf"),
    path("shipments/", views.ShipmentListView.as_view(), name="shipment_list"),
    path("shipments/<int:pk>/", views.ShipmentDetailView.as_view(), name="shipment_detail"),
    path(
        "shipments/<int:pk>/pdf/", views.ShipmentDetailView.as_view(pdf=True), name="shipment_pdf"
    ),
    path("shipments/<int:pk>/ship-confirm/", views.ShipConfirmView.as_view(), name="ship_confirm"),
    path(
        "shipments/<int:pk>/unrelease/",
        views.ShipmentUnreleaseView.as_view(),
        name="shipment_unrelease",
    ),
    path(
        "shipment-lines/<int:pk>/unrelease/",
        views.ShipmentLineUnreleaseView.as_view(),
        name="shipment_line_unrelease",
    ),
    path(
        "shipments/<int:pk>/reverse/", views.ShipmentReverseView.as_view(), name="shipment_reverse"
    ),
    path("waves/<int:pk>/unrelease/", views.PickWaveUnreleaseView.as_view(), name="wave_unrelease"),
    path(
        "waves/<int:pk>/ship-confirm/",
        views.PickWaveShipConfirmView.as_view(),
        name="wave_ship_confirm",
    ),
]
