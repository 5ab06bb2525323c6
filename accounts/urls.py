from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
]
