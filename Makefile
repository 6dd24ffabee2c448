# Bootstraps .venv from pyproject.toml when it is missing or stale; every target uses it.
# Python 3.11 where it is named so, else the machine's python3.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# The test tools (pytest-xdist, playwright: pyproject's [test] extra) on top of the package.
TEST_STAMP := $(VENV)/.test-installed-stamp

.PHONY: help env data test test-fast demo clean-demo reference-run benchmark release i18n clean hub-setup

help:
	@echo "make demo   - the instructor's main job: demo class, autograde, feedback, export, report"
	@echo "make test   - the whole test suite"
	@echo "make test-fast - the tests that start no kernel, server, browser or nbgrader (pytest -m 'not slow')"
	@echo "make data   - fetch and verify the dataset (mirror: \$$CATVNONCAT_MIRROR)"
	@echo "make release - regenerate release/ from source/ with nbgrader"
	@echo "make i18n   - refresh i18n/zh_CN/*.po from the English, regenerate the Chinese edition, check the translations"
	@echo "make benchmark - print timing figures"
	@echo "make hub-setup COURSE=... INSTRUCTOR=... - (as root) the course on a JupyterHub (docs/hub.md)"

$(STAMP): pyproject.toml
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq bubblewrap; } \
		|| { echo "Grading kernels run in a bubblewrap sandbox: install it (as root: apt-get install bubblewrap) and run make again." >&2; exit 1; }
	@# PostgreSQL for the gradebook tests (tests/test_engine.py start their own server).
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; } \
		|| echo "PostgreSQL is not installed: the gradebook-on-PostgreSQL test will be skipped (as root: apt-get install postgresql)." >&2
	@# Chromium for the browser test (tests/test_browser.py drives it with Playwright).
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium is not installed: the browser test will be skipped (as root: apt-get install chromium)." >&2
	@# configurable-http-proxy (npm) for the real-JupyterHub test (tests/test_hub.py).
	@command -v configurable-http-proxy >/dev/null || { [ "$$(id -u)" = 0 ] && command -v npm >/dev/null && npm install -g --silent configurable-http-proxy@5 >/dev/null; } \
		|| echo "configurable-http-proxy is not installed: the JupyterHub test will fail (as root: apt-get install npm && npm install -g configurable-http-proxy)." >&2
	@# A Chinese font for the Chinese edition's plots (tests/test_i18n.py draws them).
	@ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; } \
		|| echo "fonts-noto-cjk is not installed: the Chinese plots would show boxes (as root: apt-get install fonts-noto-cjk)." >&2
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@# An editable install skips pyproject's data-files: put the sandbox kernelspec in the venv.
	$(PY) -m catvnoncat.sandbox install >/dev/null
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(TEST_STAMP)

env: $(STAMP)

data: $(STAMP)
	$(PY) -m catvnoncat fetch-data

reference-run: data
	$(PY) -m catvnoncat reference-run

test: data $(TEST_STAMP)
	$(PY) -m pytest

test-fast: data $(TEST_STAMP)
	$(PY) -m pytest -m "not slow"

demo: data
	$(PY) -m catvnoncat demo

# The demo's own course folder (never the real course's submitted/, gradebook or exports).
clean-demo:
	rm -rf demo-course

# nbgrader runs the `alembic` program installed next to it, hence .venv/bin on PATH.
release: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m nbgrader generate_assignment logistic_regression --force
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m nbgrader generate_assignment logistic_regression_zh --force

# The Chinese edition: catalogs refreshed from the English source (changed sentences turn fuzzy),
# source/logistic_regression_zh regenerated and released; fails listing every missing, fuzzy or
# broken translation (the edition is still written, English where a translation is missing).
i18n: $(STAMP)
	$(PY) -m catvnoncat.i18n update build
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m nbgrader generate_assignment logistic_regression_zh --force
	$(PY) -m catvnoncat.i18n check

benchmark: data
	$(PY) benchmarks/bench_model.py
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) benchmarks/bench_autograde.py
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) benchmarks/bench_judge.py
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) benchmarks/bench_engine.py

# As root on a JupyterHub's machine (docs/hub.md):
#   make hub-setup COURSE=/home/teacher/catvnoncat INSTRUCTOR=teacher
hub-setup: $(STAMP)
	@test -n "$(COURSE)" -a -n "$(INSTRUCTOR)" || { echo "usage: make hub-setup COURSE=<the instructor's course folder> INSTRUCTOR=<user name>" >&2; exit 2; }
	$(PY) -m catvnoncat hub-setup --course "$(COURSE)" --instructor "$(INSTRUCTOR)"

clean:
	rm -rf $(VENV) submitted autograded/*/ feedback gradebook.db grades.csv reports
