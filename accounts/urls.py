from django.urls import include, path

from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("", views.account, name="account"),
    path("delete/", views.delete_account, name="delete_account"),
    path("", include("django.contrib.auth.urls")),
]
