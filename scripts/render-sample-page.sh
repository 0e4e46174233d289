#!/usr/bin/env bash
# Render page 1 and the last page of the sample draft through LibreOffice into docs/ (the PNGs
# the README shows). Needs `make install` and scripts/system-deps.sh (LibreOffice, poppler).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASSISTANT_DATA_DIR="$work/data"
.venv/bin/assistant ingest corpus/sample >/dev/null 2>"$work/ingest.log"
.venv/bin/assistant draft --figures corpus/sample/figures-2025H1.csv --unit 示例区生态环境局 \
  --period 2025年上半年 --date 2025-07-10 --doc-number "示环〔2025〕12号" --stem sample \
  --out "$work/out" >/dev/null 2>"$work/draft.log"
soffice --headless --convert-to pdf --outdir "$work/out" "$work/out/sample.docx" >/dev/null
pages=$(pdfinfo "$work/out/sample.pdf" | awk '/^Pages:/ {print $2}')
mkdir -p docs
pdftoppm -f 1 -l 1 -r 72 -png -singlefile "$work/out/sample.pdf" docs/gongwen-page1
pdftoppm -f "$pages" -l "$pages" -r 72 -png -singlefile "$work/out/sample.pdf" docs/gongwen-last
echo "docs/gongwen-page1.png, docs/gongwen-last.png (page $pages of $pages)"
