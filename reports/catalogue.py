"""Every report, registered in reports.base.REGISTRY by importing its module.

Slugs are stable: pages, exports, API links and stored export jobs name reports by them.
"""

from reports.queries import activity, completion, grading, scores, stalled

__all__ = ["activity", "completion", "grading", "scores", "stalled"]
