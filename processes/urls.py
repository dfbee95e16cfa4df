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
    path("schedules/<int:pk>/pause/", views.SchedulePauseView.as_view(), name="schedule_pause"),
    path("schedules/<int:pk>/resume/", views.ScheduleResumeView.as_view(), name="schedule_resume"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("health.json", views.HealthJsonView.as_view(), name="health_json"),
]
