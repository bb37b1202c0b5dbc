from django.urls import path

from questions import views

app_name = "questions"

urlpatterns = [
    path("", views.question_list, name="list"),
    path("flagged/", views.flagged_list, name="flagged"),
    path("<slug:slug>/", views.question_detail, name="detail"),
    path("<slug:slug>/flag/", views.question_flag, name="flag"),
    path("<slug:slug>/suspend/", views.question_suspend, name="suspend"),
]
