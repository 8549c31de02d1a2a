"""Public and worker-facing pages."""

app_name = "reform"
urlpatterns: list = []
