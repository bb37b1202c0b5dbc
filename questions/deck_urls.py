from django.urls import path

from questions import deck_views

app_name = "decks"

urlpatterns = [
    path("", deck_views.deck_list, name="list"),
    path("new/", deck_views.deck_new, name="new"),
    path("<int:pk>/", deck_views.deck_detail, name="detail"),
    path("<int:pk>/rename/", deck_views.deck_rename, name="rename"),
    path("<int:pk>/delete/", deck_views.deck_delete, name="delete"),
]
