from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="list"),
    path("new/", views.OrderCreateView.as_view(), name="create"),
    path("new/line/", views.OrderLineNewView.as_view(), name="line_new"),
    path("new/price/", views.OrderLinePriceView.as_view(), name="line_price"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="detail"),
    path("<int:pk>/book/", views.OrderBookView.as_view(), name="book"),
    path("<int:pk>/edit/", views.OrderEditView.as_view(), name="edit"),
    path("<int:pk>/lines/add/", views.OrderLineAddView.as_view(), name="line_add"),
    path("lines/<int:pk>/edit/", views.OrderLineEditView.as_view(), name="line_edit"),
    path("lines/<int:pk>/remove/", views.OrderLineRemoveView.as_view(), name="line_remove"),
]
