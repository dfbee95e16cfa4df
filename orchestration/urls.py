from django.urls import path

from . import views

app_name = "orchestration"

urlpatterns = [
    path("lines/<int:pk>/", views.PegTraceView.as_view(), name="peg_trace"),
]
