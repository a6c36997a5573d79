# The NiN course. `make lab` to study, `make test` to check everything, `make notebooks` to
# refresh the committed notebook outputs. Every target builds the environment first if missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
KERNEL := nin-course
PORT   ?= 8888
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
NBVAL  := -p tools.nbval_patience --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 900

BOOK_STAMP := $(VENV)/.book-installed

.PHONY: env lab test unit nbval notebooks slides book benchmark gpu-report gpu-prep clean

env: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "The NiN course needs Python 3.11 or newer, but $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=python3.12 (or any Python >= 3.11)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (NiN course)"
	@touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --port=$(PORT) $(ROOT_FLAG)

# Unit tests (with the docstring examples) and every notebook re-executed under nbval, strict.
test: $(STAMP)
	$(PY) -m ruff check nin_helpers tests tools benchmarks
	$(PY) -m pytest -p no:cacheprovider -rs --doctest-modules nin_helpers tests $(NBVAL) notebooks

unit: $(STAMP)
	$(PY) -m ruff check nin_helpers tests tools benchmarks
	$(PY) -m pytest -p no:cacheprovider -rs --doctest-modules nin_helpers tests

nbval: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider $(NBVAL) notebooks

# Re-execute every notebook top to bottom, in place, and stamp its code digest (tests check it).
# A clean run trains from scratch: notebook 04's checkpoint would otherwise be resumed (06 then loads 04's).
notebooks: $(STAMP)
	rm -f checkpoints/04_nin_*.pt
	$(PY) -m tools.notebooks notebooks/*.ipynb notebooks/solutions/*.ipynb

# One reveal.js deck per notebook in build/slides/ (git-ignored), with vendor/ beside them: reveal.js,
# require.js and MathJax from npm (pinned in tools/web-assets/), so the folder works with no network.
# Needs npm. Live slides: RISE inside `make lab`.
slides: $(STAMP)
	$(PY) -m tools.slides notebooks/*.ipynb

# The course website in build/book/ (git-ignored): Sphinx + MyST-NB over the committed notebooks, nothing
# re-run, MathJax served locally (needs npm once). ~10 s. Open build/book/index.html or serve the folder.
book: $(BOOK_STAMP)
	$(PY) -m tools.book

# The website's tools are not the students': installed on the first `make book` only.
$(BOOK_STAMP): requirements-book.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-book.txt
	@touch $(BOOK_STAMP)

# d2l.train_ch6 + DataLoader against our train(), same NiN and data, alternating rounds (~4 min on 2 cores).
benchmark: $(STAMP)
	$(PY) benchmarks/bench_train.py

# Everything a GPU can tell us, into benchmarks/GPU.md (~6 min on one H100, estimated). README, "GPU report".
gpu-report: $(STAMP)
	$(PY) benchmarks/gpu_report.py

# Before a lent device machine's run: wheels it lacks into .whl/, the data into .gpu_data/ (both carried).
gpu-prep: $(STAMP)
	PIP_PY=$(PY) bash benchmarks/gpu_prep.sh

clean:
	rm -rf $(VENV) build .pytest_cache
