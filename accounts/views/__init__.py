"""Account pages: teachers' class pages (classes.py); signing in and up, joining (learners.py)."""
