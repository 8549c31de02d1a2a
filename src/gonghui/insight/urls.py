"""Public and worker-facing pages."""

app_name = "insight"
urlpatterns: list = []
