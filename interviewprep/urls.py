from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from accounts import views as accounts_views
from accounts.forms import AdminLogInForm
from interviewprep.views import healthz, readyz
from progress import views as progress_views
from sessions.recordings import views as recording_views

admin.site.site_header = "InterviewPrep administration"
admin.site.site_title = "InterviewPrep admin"
admin.site.login_form = AdminLogInForm

urlpatterns = [
    path("", progress_views.home, name="home"),
    path("", include("progress.urls")),
    # The downloads sit under the account's pages, but belong to the apps whose data they hold.
    path("accounts/export/data.json", progress_views.export_data, name="export_data"),
    path(
        "accounts/export/review-log.csv",
        progress_views.export_review_log,
        name="export_review_log",
    ),
    path(
        "accounts/export/recordings/",
        recording_views.export_recordings,
        name="export_recordings",
    ),
    path(
        "accounts/export/recordings.zip",
        recording_views.download_recordings,
        name="export_recordings_zip",
    ),
    path("accounts/", include("accounts.urls")),
    path("questions/", include("questions.urls")),
    path("decks/", include("questions.deck_urls")),
    path("interviews/", include("sessions.urls")),
    path("review/", include("sessions.review_urls")),
    # Ahead of the admin's own log-in, which it wraps.
    path("admin/login/", accounts_views.admin_login),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
]
