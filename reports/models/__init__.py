"""Models of the reports app, one module per concept; import them from here."""

from reports.models.exports import ExportJob
from reports.models.summary import (
    CourseStatVersion,
    LearnerCourseStat,
    LearnerDayStat,
    LearnerExerciseStat,
    LearnerUnitStat,
    StatsCursor,
)

__all__ = [
    "CourseStatVersion",
    "ExportJob",
    "LearnerCourseStat",
    "LearnerDayStat",
    "LearnerExerciseStat",
    "LearnerUnitStat",
    "StatsCursor",
]
