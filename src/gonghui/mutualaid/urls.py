"""Worker-facing and public pages."""

app_name = "mutualaid"
urlpatterns: list = []
