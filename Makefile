# salesplay: `make` sets up .venv and builds everything from plays/ into build/; `make test` runs the suite.
# The interpreter: Debian's own python3.11 where the machine has one. Debian builds it with
# profile-guided and link-time optimization; a CPython built from source without them (as
# pyenv builds by default, first on PATH on some machines) spends about a fifth more CPU
# on a build, most of it WeasyPrint's Python (README: Performance). PYTHON=... overrides.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) $(shell command -v python3.11 || command -v python3))
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the interpreter the venv was made with: a venv of another one is made anew
MADE_WITH := $(shell cat $(VENV)/.python 2>/dev/null)
# the built-in theme's templates compiled for this code, and the band fonts cut, beside it
# (render/shelf.py): made again when any file of the package changes, as Python compiles
# its modules again
SHELF  := src/salesplay/themes/__pycache__/theme-templates.bytecode
SOURCES := $(shell find src/salesplay -type f -not -path '*/__pycache__/*')
CATALOG ?= plays
ARGS   ?=
# Debian packages: WeasyPrint needs Pango at run time, and fonts for every script a catalog
# may hold (a partner named "北京 Partner" gets .notdef boxes without a CJK font; Noto core
# covers Arabic, Hebrew, Indic and more; no other font has emoji); the tests also need a
# browser, LibreOffice (to prove decks open), poppler (PDF to PNG for looking at pages) and
# gettext (msgfmt proves the PO files `i18n extract` writes are ones translators' tools read).
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 \
                fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fontconfig
TEST_DEBS    := chromium libreoffice-impress poppler-utils fonts-crosextra-carlito gettext

.PHONY: all build check kits serve test lint format readme bench clean distclean runtime-deps test-deps

all: build

# a prerequisite that is never up to date
FORCE:

ifneq ($(MADE_WITH),$(PYTHON))
$(STAMP): FORCE
endif
$(STAMP): pyproject.toml
	@# Debian keeps venv's pip bootstrap in its own package (python3.X-venv)
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || ./tools/ensure-debs \
	  python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv
	$(PYTHON) -m venv $(if $(filter $(PYTHON),$(MADE_WITH)),,--clear) $(VENV)
	echo '$(PYTHON)' > $(VENV)/.python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(SHELF): $(STAMP) $(SOURCES)
	$(BIN)/python -m salesplay.render.precompile

runtime-deps:
	@./tools/ensure-debs $(RUNTIME_DEBS)

test-deps: runtime-deps
	@./tools/ensure-debs $(TEST_DEBS)

build: runtime-deps $(STAMP) $(SHELF)
	$(BIN)/salesplay build --catalog $(CATALOG) $(ARGS)

check: $(STAMP) $(SHELF)
	$(BIN)/salesplay check --catalog $(CATALOG) $(ARGS)

kits: runtime-deps $(STAMP) $(SHELF)
	$(BIN)/salesplay build --catalog $(CATALOG) --only kits $(ARGS)

serve: runtime-deps $(STAMP) $(SHELF)
	$(BIN)/salesplay serve $(ARGS)

test: test-deps $(STAMP) $(SHELF)
	$(BIN)/pytest -n 2 -q $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

readme: $(STAMP)
	$(BIN)/python tools/readme_table.py

format: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

bench: runtime-deps $(STAMP) $(SHELF)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_kits.py
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_against.py efb887d --bare-tiers --drop catalog:channel \
	  --drop catalog:source_locale --drop catalog:locales --drop competitors:quick_dismiss
	$(BIN)/python bench/bench_locales.py
	$(BIN)/python bench/bench_serve.py

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
