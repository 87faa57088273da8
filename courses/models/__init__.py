"""Models of the courses app, one module per concept; import them from here."""

from courses.models.assets import CourseAsset
from courses.models.attempts import QuizAttempt
from courses.models.content import (
    AgeBand,
    BigIdea,
    Course,
    Lesson,
    SchoolStage,
    Unit,
    stage_for,
    validate_big_ideas,
)
from courses.models.exercise import Exercise
from courses.models.validation import ValidationRun
from courses.models.versions import CourseVersion

__all__ = [
    "AgeBand",
    "BigIdea",
    "Course",
    "CourseAsset",
    "CourseVersion",
    "Exercise",
    "Lesson",
    "QuizAttempt",
    "SchoolStage",
    "Unit",
    "ValidationRun",
    "stage_for",
    "validate_big_ideas",
]
