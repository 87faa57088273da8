"""Models of the reports app, one module per concept; import them from here."""

from reports.models.exports import ExportJob

__all__ = ["ExportJob"]
