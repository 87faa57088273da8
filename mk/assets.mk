# Front-end assets built from pinned npm packages (frontend/). Filled in by the editor work.
.PHONY: assets
assets: $(VENV)/.stamp
