"""Staff console pages."""

app_name = "evaluation_console"
urlpatterns: list = []
