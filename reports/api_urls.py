"""Report API under /api/v1/reports/ (filled in by issue 7)."""

urlpatterns: list = []
