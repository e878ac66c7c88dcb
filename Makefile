# Two commands on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PARAMS ?= parameters/synthetic-faces.yaml
STUDY ?= parameters/study-seeds.yaml
TEST_WORKERS ?= 2  # pytest-xdist worker processes of `make test`; the suite is sized for two cores
# parameters/study-*.yaml are sweep files (`make study`), not variants.
CPU_VARIANTS := $(filter-out parameters/celeba-256.yaml parameters/study-%.yaml,$(wildcard parameters/*.yaml))

.PHONY: report report-all study test install clean

$(BIN)/latent-report: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m compileall -q report  # byte-code now, so later runs write nothing outside build/
	@$(BIN)/python -c "import weasyprint" || (echo "WeasyPrint needs Pango >= 1.44 (Debian: apt install libpango-1.0-0 libpangoft2-1.0-0)"; exit 1)
	touch $@

install: $(BIN)/latent-report

report: install
	$(BIN)/latent-report build $(PARAMS)

# The second pass runs no step; it re-renders the sites built before a later variant, so that every
# comparison page shows all the variants.
report-all: install
	$(BIN)/latent-report build $(CPU_VARIANTS)
	$(BIN)/latent-report build --quiet $(CPU_VARIANTS)

# Every variant of a sweep on a local Dask cluster, then build/<sweep>/study.html (STUDY=parameters/study-zdim.yaml for the other).
study: install
	$(BIN)/latent-report sweep $(STUDY)

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

clean:
	rm -rf build
