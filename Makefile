# The two commands of the README: `make serve` and `make test`. Both set up what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/demo.duckdb

.PHONY: setup serve test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(DB): | $(STAMP)
	$(BIN)/chatbi demo-data --out $(DB)

serve: $(STAMP) $(CJK_FONT) $(DB)
	$(BIN)/chatbi serve --db $(DB) --host 127.0.0.1 --port 8000

CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

# Chart images for WeCom draw Chinese labels with Noto Sans CJK (Debian's fonts-noto-cjk).
$(CJK_FONT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk

# The browser tests drive Debian's chromium.
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(STAMP) $(CJK_FONT) $(CHROMIUM)
	$(BIN)/lint-imports
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) data build *.egg-info

BENCH_DB := data/bench.duckdb

$(BENCH_DB): | $(STAMP)
	$(BIN)/chatbi demo-data --out $(BENCH_DB) --end-date 2025-06-30 --scale 1

bench: $(STAMP) $(BENCH_DB)
	$(BIN)/python tests/bench/ask_latency.py $(BENCH_DB)
