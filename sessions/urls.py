from django.urls import path

from sessions import config_views, follow_up_views, views
from sessions.feedback import second_opinion_views
from sessions.recordings import views as recording_views

app_name = "interviews"

urlpatterns = [
    path("new/", config_views.new_interview, name="new"),
    path("<int:pk>/", views.play, name="play"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/abandon/", views.abandon, name="abandon"),
    path("<int:pk>/retry-missed/", views.retry_missed, name="retry_missed"),
    path("<int:pk>/questions/<int:position>/", views.review, name="review"),
    path("<int:pk>/questions/<int:position>/draft/", views.autosave, name="autosave"),
    path("<int:pk>/questions/<int:position>/answer/", views.submit_answer, name="submit"),
    path("<int:pk>/questions/<int:position>/grade/", views.grade_answer, name="grade"),
    path(
        "<int:pk>/questions/<int:position>/follow-up/draft/",
        follow_up_views.autosave_follow_up,
        name="follow_up_autosave",
    ),
    path(
        "<int:pk>/questions/<int:position>/follow-up/answer/",
        follow_up_views.submit_follow_up,
        name="follow_up_submit",
    ),
    path(
        "<int:pk>/questions/<int:position>/follow-up/grade/",
        follow_up_views.grade_follow_up,
        name="follow_up_grade",
    ),
    path(
        "<int:pk>/questions/<int:position>/recording/chunks/",
        recording_views.upload_chunk,
        name="recording_chunk",
    ),
    path(
        "<int:pk>/questions/<int:position>/follow-up/recording/chunks/",
        recording_views.upload_follow_up_chunk,
        name="follow_up_recording_chunk",
    ),
    path("<int:pk>/second-opinion/", second_opinion_views.second_opinion, name="second_opinion"),
    path(
        "<int:pk>/second-opinion/<int:link_id>/revoke/",
        second_opinion_views.revoke_link,
        name="revoke_review_link",
    ),
    path(
        "<int:pk>/second-opinion/reviews/<int:review_id>/use/",
        second_opinion_views.use_verdict,
        name="use_verdict",
    ),
    path(
        "recordings/<int:recording_id>/audio",
        recording_views.recording_audio,
        name="recording_audio",
    ),
    path(
        "recordings/<int:recording_id>/status/",
        recording_views.recording_status,
        name="recording_status",
    ),
    path(
        "recordings/<int:recording_id>/delete/",
        recording_views.delete_recording,
        name="delete_recording",
    ),
]
