from django.apps import AppConfig


class InterviewPrepConfig(AppConfig):
    """The project package as an app: it holds the schedule of periodic work and its runs."""

    name = "interviewprep"
    verbose_name = "InterviewPrep"
