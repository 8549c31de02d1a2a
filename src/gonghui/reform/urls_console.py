"""Staff console pages."""

app_name = "reform_console"
urlpatterns: list = []
