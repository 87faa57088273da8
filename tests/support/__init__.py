"""Helpers shared by the browser tests (tests/e2e) and scripts/screenshots.py."""
