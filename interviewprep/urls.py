from django.contrib import admin
from django.urls import include, path

from sessions import views as session_views

admin.site.site_header = "InterviewPrep administration"
admin.site.site_title = "InterviewPrep admin"

urlpatterns = [
    path("", session_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("questions/", include("questions.urls")),
    path("interviews/", include("sessions.urls")),
    path("admin/", admin.site.urls),
]
