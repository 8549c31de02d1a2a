from django.urls import path

from .views import imports

app_name = "imports"
urlpatterns = [
    path("", imports.index, name="index"),
]
