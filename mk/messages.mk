# Translation catalogues: locale/<lang>/LC_MESSAGES/*.po (committed) compiled to .mo (not committed)
# by Babel, so no GNU gettext is needed. A .mo is rebuilt only when its .po (or the script) is newer;
# a translation whose placeholders differ from its msgid stops the build with a one-line reason.
# After changing strings in code: `$(PY) scripts/messages.py extract`, translate, `... check`.
.PHONY: messages messages-extract messages-check

MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

messages: $(VENV)/.stamp $(MO_FILES)

locale/%.mo: locale/%.po scripts/messages.py | $(VENV)/.stamp
	$(PY) scripts/messages.py compile $<

messages-extract: $(VENV)/.stamp
	$(PY) scripts/messages.py extract

messages-check: $(VENV)/.stamp
	$(PY) scripts/messages.py check
