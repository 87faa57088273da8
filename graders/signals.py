"""Signals other apps may listen to, so graders never needs to know who is interested.

Status changes are conditional UPDATEs (graders/services.py), which send no post_save; this
signal says a submission's mark changed instead.
"""

from django.dispatch import Signal

# Sent with `submission_id` after a submitted notebook was marked (graded, needs review) or
# failed: the reports' summary tables refresh from it (reports/stats.py).
submission_marked = Signal()
