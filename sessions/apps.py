from django.apps import AppConfig


class InterviewSessionsConfig(AppConfig):
    # django.contrib.sessions owns the label "sessions".
    name = "sessions"
    label = "interview_sessions"
    verbose_name = "Mock interviews"

    def ready(self) -> None:
        # Deleting a recording's rows, or a zip's, deletes its files (signal receivers).
        from sessions.recordings import store, tasks  # noqa: F401
