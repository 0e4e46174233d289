#!/usr/bin/env bash
# What the tests need beyond Python, installed when missing (Debian/Ubuntu apt; sudo when not
# root). Called by `make test` and by .ci/run, so a fresh machine passes with no test skipped.
#   chromium, chromium-driver  the web chat's browser test (tests/test_web_browser.py)
#   fonts-noto-cjk             a CJK font: readable screenshots and PDF pages
#   libreoffice-writer-nogui   renders the 公文 .docx to PDF (tests/test_word_gongwen.py)
#   poppler-utils              pdftotext/pdftoppm read that PDF (page numbers, lines a page, PNG)
# ASSISTANT_NO_SYSTEM_DEPS=1 skips it. Without apt or the right to use it, it says what is
# missing and returns 0: the tests that need the missing tool then fail and name it.
set -euo pipefail
[ -n "${ASSISTANT_NO_SYSTEM_DEPS:-}" ] && exit 0
packages=()
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || packages+=(chromium chromium-driver)
fc-list :lang=zh 2>/dev/null | grep -q . || packages+=(fonts-noto-cjk)
command -v soffice >/dev/null || packages+=(libreoffice-writer-nogui)
{ command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; } || packages+=(poppler-utils)
[ ${#packages[@]} -eq 0 ] && exit 0
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo_cmd="sudo"
  else
    echo "system-deps: missing ${packages[*]} (no root and no password-less sudo);" \
      "install them with: sudo apt-get install ${packages[*]}" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "system-deps: missing ${packages[*]}; no apt-get here, install them by hand" >&2
  exit 0
fi
echo "system-deps: installing ${packages[*]}" >&2
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
  "${packages[@]}"
