from django.apps import AppConfig


class InterviewSessionsConfig(AppConfig):
    # django.contrib.sessions owns the label "sessions".
    name = "sessions"
    label = "interview_sessions"
    verbose_name = "Mock interviews"
