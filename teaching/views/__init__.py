"""Teachers' pages for a class: gradebook and export (gradebook.py), an exercise's settings,
extensions and regrade (exercise.py), a submission and its marking (submission.py), a regrade's
progress (regrades.py). Learners get a 403 everywhere here; another teacher's class is a 404."""
