# Debian's Chromium for the browser tests and `make screenshots`. Filled in by the e2e work.
.PHONY: browser screenshots
browser:
screenshots: setup-test
