# The two commands of the README: `make serve` and `make test`. Both set up what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make serve END_DATE=2025-06-30 PORT=8001`: the warehouse the README's figures were taken on, on another port
END_DATE ?=
PORT ?= 8000
DB ?= data/demo$(if $(END_DATE),-$(END_DATE)).duckdb
BENCH_DB := data/bench.duckdb
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: setup serve test eval bench loadtest clean postgres

setup: $(STAMP) $(CJK_FONT)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Chart images for WeCom draw Chinese labels with Noto Sans CJK (Debian's fonts-noto-cjk).
$(CJK_FONT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk

# The cross-engine tests start a throwaway server from Debian's postgresql binaries.
POSTGRES_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))

postgres:
	$(if $(POSTGRES_INITDB),@true,apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

# The browser tests drive Debian's chromium.
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(DB): | $(STAMP)
	$(BIN)/chatbi demo-data --out $(DB) $(if $(END_DATE),--end-date $(END_DATE))

serve: setup $(DB)
	$(BIN)/chatbi serve --db $(DB) --host 127.0.0.1 --port $(PORT)

test: setup $(CHROMIUM) postgres
	$(BIN)/lint-imports
	$(BIN)/pytest -q

$(BENCH_DB): | $(STAMP)
	$(BIN)/chatbi demo-data --out $(BENCH_DB) --end-date 2025-06-30 --scale 1

# Understanding, measured: the generated suite (2,000 questions, gold by construction) and every
# frozen question set; the held-out set prints only its rates.
eval: setup $(BENCH_DB)
	mkdir -p build
	$(BIN)/chatbi suite --out build/suite.jsonl --count 2000 --seed 7 --db $(BENCH_DB)
	$(BIN)/chatbi eval --quiet --db $(BENCH_DB) build/suite.jsonl
	$(BIN)/chatbi eval --quiet --db $(BENCH_DB) ../shared/eval/dev.jsonl
	for set in tests/eval/*.jsonl; do echo "== $$set"; $(BIN)/chatbi eval --quiet --db $(BENCH_DB) $$set || exit 1; done

# /api/v1/ask cold and warm, in process and over HTTP; five query shapes on DuckDB, chdb and
# PostgreSQL at scale 20 (data/bench-20.* built once, kept); then the service's overhead over raw
# DuckDB and the cost curve at every scale built (data/bench-5.duckdb is built here too). Each part
# prints its table and merges its figures into artifacts/bench.json. Scale 100 joins the cost curve
# once built, which `make bench` does not do (SCALE100_NOTE): `make data/bench-100.duckdb`.
data/bench-%.duckdb: | $(STAMP)
	$(BIN)/chatbi demo-data --out $@ --end-date 2025-06-30 --scale $*

bench: setup postgres $(BENCH_DB) data/bench-5.duckdb
	$(BIN)/python tests/bench/ask_latency.py $(BENCH_DB)
	$(BIN)/python -m tests.bench.engine_latency
	$(BIN)/python -m tests.bench.query_overhead

clean:
	rm -rf $(VENV) data build *.egg-info artifacts

loadtest: setup $(BENCH_DB)
	$(BIN)/python tests/load/loadtest.py $(BENCH_DB)
