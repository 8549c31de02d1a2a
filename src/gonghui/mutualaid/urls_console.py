"""Staff console pages."""

app_name = "mutualaid_console"
urlpatterns: list = []
