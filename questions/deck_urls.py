from django.urls import path

from questions import deck_views, import_views, share_views

app_name = "decks"

urlpatterns = [
    path("", deck_views.deck_list, name="list"),
    path("new/", deck_views.deck_new, name="new"),
    path("<int:pk>/", deck_views.deck_detail, name="detail"),
    path("<int:pk>/rename/", deck_views.deck_rename, name="rename"),
    path("<int:pk>/delete/", deck_views.deck_delete, name="delete"),
    path("<int:pk>/questions/new/", deck_views.question_new, name="question_new"),
    path("<int:pk>/questions/<int:number>/edit/", deck_views.question_edit, name="question_edit"),
    path(
        "<int:pk>/questions/<int:number>/archive/",
        deck_views.question_archive,
        name="question_archive",
    ),
    path("questions/preview/", deck_views.question_preview, name="question_preview"),
    path("<int:pk>/import/", import_views.deck_import_upload, name="import"),
    path("<int:pk>/import/apply/", import_views.deck_import_apply, name="import_apply"),
    path("<int:pk>/export.<str:kind>", import_views.deck_download, name="export"),
    path("<int:pk>/share/", share_views.deck_share, name="share"),
    path("<int:pk>/stop-sharing/", share_views.deck_stop_sharing, name="stop_sharing"),
    path("shared/<str:token>/", share_views.shared_deck, name="shared"),
    path("shared/<str:token>/add/", share_views.shared_deck_add, name="shared_add"),
]
