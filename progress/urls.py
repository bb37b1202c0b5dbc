from django.urls import path

from progress import reminder_views, views

app_name = "progress"

urlpatterns = [
    path("history/", views.history, name="history"),
    path("history/questions/<slug:slug>/", views.question_history, name="question_history"),
    path("review/", views.review_due, name="review"),
    path("practise/", views.practise, name="practise"),
    path("review/start/<str:token>/", reminder_views.start_review, name="start_review"),
    path("calendar/", reminder_views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", reminder_views.calendar_feed, name="calendar_feed"),
]
