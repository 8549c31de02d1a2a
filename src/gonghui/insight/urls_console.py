"""Staff console pages."""

app_name = "insight_console"
urlpatterns: list = []
