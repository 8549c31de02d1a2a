"""Worker-facing and public pages."""

app_name = "evaluation"
urlpatterns: list = []
