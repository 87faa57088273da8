"""Models of the teaching app, one module per concept; import them from here."""

from teaching.models.deadlines import ClassroomExercise, Extension, LatePolicy
from teaching.models.marks import Mark, MarkChange
from teaching.models.regrades import RegradeBatch, RegradeItem

__all__ = [
    "ClassroomExercise",
    "Extension",
    "LatePolicy",
    "Mark",
    "MarkChange",
    "RegradeBatch",
    "RegradeItem",
]
