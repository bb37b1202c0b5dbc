from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("history/", views.history, name="history"),
    path("history/questions/<slug:slug>/", views.question_history, name="question_history"),
    path("review/", views.review_due, name="review"),
    path("practise/", views.practise, name="practise"),
]
