from django.urls import path

from . import views

app_name = "processes"

urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("schedule/", views.ScheduleProcessView.as_view(), name="schedule"),
]
