# Two commands do all the set-up on a fresh machine:
#   make demo   create .venv, install, ingest the sample corpus, list the 科室 material, write
#               a draft from the figures and the material, check it (the material found
#               where the draft's sidecar says it was)
#               (make demo-emergency: the same for the second domain pack, 应急管理)
#   make test   create .venv, install with dev tools and the system tools the tests need
#               (scripts/system-deps.sh), run ruff and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-emergency test install lint clean system-deps

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/assistant ingest corpus/sample
	$(BIN)/assistant search "PM2.5 浓度 同比" --part 总结 --topic 大气 -k 3
	$(BIN)/assistant search "空气质量改善了多少" -k 3
	$(BIN)/assistant items show --items corpus/items-2025H1 --figures corpus/sample/figures-2025H1.csv
	$(BIN)/assistant draft --figures corpus/sample/figures-2025H1.csv --unit 示例区生态环境局 \
		--period 2025年上半年 --out out --items corpus/items-2025H1
	$(BIN)/assistant check out/示例区生态环境局-2025年上半年-工作总结.docx \
		--figures corpus/sample/figures-2025H1.csv

# The same with the second domain pack (a 应急管理局): its own corpus, figures and collection.
demo-emergency: $(STAMP)
	$(BIN)/assistant ingest corpus/应急管理 --domain 应急管理
	$(BIN)/assistant search "事故起数 同比" --part 总结 --topic 安全生产 -k 3 --domain 应急管理
	$(BIN)/assistant draft --figures corpus/应急管理/figures-2025H1.csv --unit 示例区应急管理局 \
		--period 2025年上半年 --out out --domain 应急管理
	$(BIN)/assistant check out/示例区应急管理局-2025年上半年-工作总结.docx \
		--figures corpus/应急管理/figures-2025H1.csv --domain 应急管理

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Chromium, chromedriver, a CJK font, LibreOffice writer and poppler, installed when missing
# (apt; sudo when not root); see scripts/system-deps.sh.
system-deps:
	scripts/system-deps.sh

test: $(STAMP) system-deps lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) vectorstore/chroma.sqlite3 out
