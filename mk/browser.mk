# Debian's Chromium for the browser tests (tests/e2e) and `make screenshots`. Playwright (pinned in
# requirements.txt) drives /usr/bin/chromium; it never downloads a browser of its own.
.PHONY: browser cjk-font screenshots
CHROMIUM := /usr/bin/chromium

# $(call apt_install,PACKAGE): as root, through sudo, or a one-line error saying what to install.
# A stale package index is refreshed only when the first attempt fails.
define apt_install
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "Missing Debian package '$(1)': install it as root (apt-get install $(1))" >&2; exit 1; fi; \
	echo "Installing Debian's $(1)"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(1) \
	  || { $$SUDO apt-get update -q && \
	       $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(1); }
endef

# Installed only when missing: present means nothing to do, not even a call to apt.
browser:
	@if [ ! -x $(CHROMIUM) ]; then $(call apt_install,chromium); fi
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is still missing after installing chromium" >&2; exit 1; }

# The pictures show Chinese (the brand, the zh-hans pages): the face site.css asks for first.
# The tests read text from the page, not pixels, so they don't need it.
cjk-font:
	@if ! fc-list 'Noto Sans CJK SC' | grep -q .; then $(call apt_install,fonts-noto-cjk); fi

# The README's pictures, taken with the same browser as the tests, from a temporary demo site.
screenshots: setup-test cjk-font
	$(PY) scripts/screenshots.py
