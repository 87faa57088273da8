# Translation catalogues (locale/) compiled to .mo. Filled in by the i18n work.
.PHONY: messages
messages: $(VENV)/.stamp
