"""The reviewer's addresses: each holds the interview's number and the link's secret."""

from django.urls import path

from sessions import review_audio
from sessions.feedback import review_views

app_name = "reviews"

LINK = "<int:pk>/<str:token>/"

urlpatterns = [
    path(LINK, review_views.review_page, name="page"),
    path(f"{LINK}send/", review_views.send_review, name="send"),
    path(f"{LINK}questions/<int:position>/", review_views.save_answer, name="save"),
    path(f"{LINK}questions/<int:position>/moments/", review_views.add_moment, name="add_moment"),
    path(
        f"{LINK}questions/<int:position>/moments/<int:moment_id>/delete/",
        review_views.delete_moment,
        name="delete_moment",
    ),
    path(
        f"{LINK}questions/<int:position>/recording",
        review_audio.review_recording,
        name="recording",
    ),
]
