from django.urls import include, path

from accounts import views
from sessions import recording_views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    # Ahead of django.contrib.auth's own views, which they replace.
    path("login/", views.login_view, name="login"),
    path("password_change/", views.password_change, name="password_change"),
    path("password_reset/", views.password_reset, name="password_reset"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("", views.account, name="account"),
    path("delete/", views.delete_account, name="delete_account"),
    path("settings/", views.settings_view, name="settings"),
    path("export/data.json", views.export_data, name="export_data"),
    path("export/review-log.csv", views.export_review_log, name="export_review_log"),
    path("export/recordings.zip", recording_views.download_recordings, name="export_recordings"),
    path("", include("django.contrib.auth.urls")),
]
