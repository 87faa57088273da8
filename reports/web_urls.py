"""Report pages (filled in by issue 7)."""

urlpatterns: list = []
