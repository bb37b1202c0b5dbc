from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "Progress and review schedule"

    def ready(self) -> None:
        from interviewprep.cache_versions import connect_signals

        connect_signals()
