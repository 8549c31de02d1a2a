from django.urls import path

from .views import console

app_name = "training_console"
urlpatterns = [
    path("", console.index, name="index"),
]
