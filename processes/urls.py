from django.urls import path

from . import run_actions, views

app_name = "processes"

urlpatterns = [
    path("", views.RunListView.as_view(), name="run_list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("schedule/", views.ScheduleProcessView.as_view(), name="schedule"),
    path("runs/<int:pk>/retry/", run_actions.RunRetryView.as_view(), name="run_retry"),
    path(
        "runs/<int:pk>/retry-failed-lines/",
        run_actions.RunRetryFailedLinesView.as_view(),
        name="run_retry_failed_lines",
    ),
    path("runs/<int:pk>/cancel/", run_actions.RunCancelView.as_view(), name="run_cancel"),
]
