from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.models import remember_time_zone
        from accounts.startup import warn_about_console_mail

        user_logged_in.connect(remember_time_zone, dispatch_uid="remember_time_zone")
        warn_about_console_mail()
