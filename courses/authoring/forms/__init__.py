"""Forms for authoring: course, unit and lesson (content), exercises (exercise), quiz kinds
(quiz)."""
