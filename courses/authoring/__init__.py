"""Teachers write courses in the browser: courses, units, lessons, every exercise kind, previews.

Views translate HTTP; forms turn what a teacher types into the models' and the quiz specs' shapes;
services (services.py) make every change in one transaction, validated. A published course is
never edited in place: its draft is (courses.publishing), and a course never published is edited
directly.
"""
