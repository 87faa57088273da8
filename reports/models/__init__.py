"""Models of the reports app, one module per concept; import them from here."""

from reports.models.exports import ExportJob
from reports.models.summary import LearnerDayStat, LearnerExerciseStat, StatsCursor

__all__ = ["ExportJob", "LearnerDayStat", "LearnerExerciseStat", "StatsCursor"]
