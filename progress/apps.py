from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "Progress and review schedule"

    def ready(self) -> None:
        from progress.caching import connect_signals

        connect_signals()
