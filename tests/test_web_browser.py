"""The web chat in a real headless Chromium (Debian's chromium + chromium-driver, no downloads):
the welcome panel and its examples, a section streamed and rendered, a number's source in a
popover (click and keyboard), the session's own figures file kept when the unit changes, 比较
only with two versions, errors always in Chinese, the .docx download.

Each state is saved as a screenshot under the test's tmp folder (the paths are printed; set
SCREENSHOT_DIR=<folder> to keep copies). CI installs the browser (.ci/run), so a missing
browser fails the test; set ASSISTANT_SKIP_BROWSER=1 to skip it on a machine without one.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from assistant.settings import Settings
from assistant.web import create_app
from tests.chat_support import FIGURES, UNIT, ingested_settings
from tests.web_support import running

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
MAX_UPLOAD = 200_000

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = ingested_settings(tmp_path)
    with running(create_app(settings, max_upload=MAX_UPLOAD)) as base:
        yield base + "/", settings


@pytest.fixture
def browser(tmp_path: Path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("ASSISTANT_SKIP_BROWSER"):
            pytest.skip("chromium not installed and ASSISTANT_SKIP_BROWSER is set")
        pytest.fail("chromium/chromium-driver missing: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads  # type: ignore[attr-defined]
    driver.shots = tmp_path / "screenshots"  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


def shot(browser, name: str) -> Path:
    """Save the page as it looks now (and a copy under $SCREENSHOT_DIR, if set)."""
    browser.shots.mkdir(exist_ok=True)
    path = browser.shots / f"{name}.png"
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    if os.environ.get("SCREENSHOT_DIR"):
        keep = Path(os.environ["SCREENSHOT_DIR"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, keep / path.name)
    print(f"screenshot: {path}")
    return path


def _open(browser, url: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(url)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    return wait


def _ask(browser, wait, text: str, replies: int):
    """Type a request, send it and wait for the ``replies``-th assistant answer."""
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "input").send_keys(text)
    browser.find_element(By.ID, "send").click()
    done = "#messages .msg.assistant:not(.streaming)"
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, done)) >= replies)
    return browser.find_elements(By.CSS_SELECTOR, done)[replies - 1]


def _visible(browser, element_id: str) -> bool:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, element_id).is_displayed()


def test_welcome_section_and_sources_in_popovers(server, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.select import Select

    url, _ = server
    wait = _open(browser, url)
    # the empty page: a welcome with three example requests, a Chinese upload button
    examples = browser.find_elements(By.CSS_SELECTOR, "#welcome button.example")
    assert _visible(browser, "welcome") and len(examples) == 3
    assert browser.find_element(By.ID, "upload-button").text == "上传数据文件或草稿"
    assert browser.find_element(By.ID, "upload-name").text == "未选择文件"
    assert not _visible(browser, "diff-tools")
    shot(browser, "1-welcome")

    Select(browser.find_element(By.ID, "figures")).select_by_value(FIGURES.name)
    browser.find_element(By.ID, "unit").send_keys(UNIT + Keys.TAB)
    assert browser.find_element(By.ID, "context-figures").text == FIGURES.name
    assert browser.find_element(By.ID, "context-unit").text == UNIT
    example = next(b for b in examples if b.text == "帮我起草上半年大气污染防治部分")
    example.click()
    reply = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .draft"))[0]
    assert not _visible(browser, "welcome")
    numbers = reply.find_elements(By.CSS_SELECTOR, "span.num")
    assert numbers and all(n.get_attribute("title") in (None, "") for n in numbers)

    # a click (or tap) opens the source in plain words, no internal ids
    pm25 = next(n for n in numbers if n.text == "38.4微克/立方米")
    pm25.click()
    popover = browser.find_element(By.ID, "popover")
    assert popover.is_displayed()
    assert popover.text == "数据表 第2行 · 区环境监测站月报（2025年6月） · PM2.5平均浓度"
    shot(browser, "2-draft-popover")
    browser.find_element(By.ID, "context").click()
    assert not popover.is_displayed()
    # the keyboard reaches it too: Tab onto a number opens its popover, Escape closes it
    change = next(n for n in numbers if n.text.startswith("下降"))
    browser.execute_script("arguments[0].focus()", change)
    assert popover.is_displayed() and "上年同期 39.8" in popover.text
    assert "pm25" not in popover.text and change.get_attribute("tabindex") == "0"
    change.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("role") == "button"
    assert popover.is_displayed() and popover.text and "上年同期 39.8" not in popover.text
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not popover.is_displayed()

    meta = reply.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, ".meta").text
    assert f"已核对数字 {len(numbers)} 个" in meta and "待处理" not in meta
    assert "第 1 版" in browser.find_element(By.ID, "current-version").text
    assert not _visible(browser, "diff-tools")  # one version: nothing to compare yet

    browser.find_element(By.ID, "download-docx").click()
    deadline = time.monotonic() + 30
    downloaded: list[Path] = []
    while not downloaded:
        assert time.monotonic() < deadline, "the .docx never arrived"
        downloaded = [p for p in browser.downloads.iterdir() if p.suffix == ".docx"]
        time.sleep(0.2)
    document = docx.Document(str(downloaded[0]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "38.4微克/立方米" in text and "大气污染防治" in text
    assert list(document.comments)

    browser.find_element(By.ID, "download-clean").click()
    deadline = time.monotonic() + 30
    clean: list[Path] = []
    while not clean:
        assert time.monotonic() < deadline, "the clean .docx never arrived"
        clean = [p for p in browser.downloads.iterdir() if p.name.startswith("清稿")]
        time.sleep(0.2)
    clean_document = docx.Document(str(clean[0]))
    assert "\n".join(p.text for p in clean_document.paragraphs) == text
    assert not list(clean_document.comments)

    attack = "<img src=x onerror=window.__pwned=1>"
    _ask(browser, wait, attack + "再精简一些", 2)
    assert attack in browser.find_elements(By.CSS_SELECTOR, "#messages .msg.user")[-1].text
    assert browser.find_elements(By.CSS_SELECTOR, "#messages img") == []
    assert browser.execute_script("return window.__pwned === undefined")
    assert _visible(browser, "diff-tools")
    browser.find_element(By.ID, "diff").click()
    table = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .diff-table"))[0]
    _changed_spans_are_drawn(browser, table)
    shot(browser, "3-compare")


def _changed_spans_are_drawn(browser, table) -> None:
    """In 比较, a changed paragraph shows what the old version lost struck through (<del>) and
    what the new one gained underlined (<ins>), the kept text plain around them (the table used
    to show the two paragraphs whole, so a one-sentence cut had to be found by eye)."""
    from selenium.webdriver.common.by import By

    plain = (
        "return Array.from(arguments[0].childNodes).filter(n => n.nodeType === 3)"
        ".map(n => n.textContent).join('')"
    )
    rows = table.find_elements(By.CSS_SELECTOR, "tr")[1:]
    changed = [r for r in rows if r.find_elements(By.TAG_NAME, "td")[0].text == "修改"]
    assert changed, "再精简一些 changed no paragraph"
    for row in changed:
        _, old, new = row.find_elements(By.TAG_NAME, "td")
        struck = old.find_elements(By.TAG_NAME, "del")
        added = new.find_elements(By.TAG_NAME, "ins")
        assert struck or added, old.text
        assert not old.find_elements(By.TAG_NAME, "ins")
        assert not new.find_elements(By.TAG_NAME, "del")
        kept = browser.execute_script(plain, old)
        assert kept and kept == browser.execute_script(plain, new)  # the same text kept
        for mark, line in ((struck, "line-through"), (added, "underline")):
            for span in mark:
                assert span.text and line in span.value_of_css_property("text-decoration-line")


def test_own_figures_stay_when_the_unit_changes(server, browser, tmp_path: Path) -> None:
    """The bug: after uploading one's own file, editing 单位名称 switched the session back to the
    dropdown's file, and the next draft quietly used another file's numbers."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.select import Select

    url, _ = server
    wait = _open(browser, url)
    Select(browser.find_element(By.ID, "figures")).select_by_value(FIGURES.name)
    browser.find_element(By.ID, "unit").send_keys("某区生态环境局" + Keys.TAB)
    own = tmp_path / "我们的数据-2025上半年.csv"
    own.write_text(
        FIGURES.read_text(encoding="utf-8-sig").replace(
            "pm25_avg,PM2.5平均浓度,38.4,", "pm25_avg,PM2.5平均浓度,36.9,"
        ),
        encoding="utf-8",
    )
    browser.find_element(By.ID, "upload").send_keys(str(own))
    wait.until(lambda d: d.find_element(By.ID, "context-figures").text == own.name)
    notice = browser.find_elements(By.CSS_SELECTOR, "#messages .msg.assistant")[-1].text
    assert notice.startswith(f"已载入数据文件 {own.name}")
    assert browser.find_element(By.ID, "upload-name").text == own.name
    assert "本会话上传" in Select(browser.find_element(By.ID, "figures")).first_selected_option.text

    unit = browser.find_element(By.ID, "unit")
    unit.clear()
    unit.send_keys(UNIT + Keys.TAB)
    wait.until(lambda d: d.find_element(By.ID, "context-unit").text == UNIT)
    assert browser.find_element(By.ID, "context-figures").text == own.name
    shot(browser, "4-own-figures")

    reply = _ask(browser, wait, "帮我起草上半年大气污染防治部分", 2)
    numbers = [n.text for n in reply.find_elements(By.CSS_SELECTOR, "span.num")]
    assert "36.9微克/立方米" in numbers and "38.4微克/立方米" not in numbers


def test_errors_are_always_chinese(server, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url, _ = server
    wait = _open(browser, url)
    big = tmp_path / "全年监测数据汇总.csv"
    big.write_bytes(b"id,name,value\n" + b"a,b,1\n" * (MAX_UPLOAD // 4))
    browser.find_element(By.ID, "upload").send_keys(str(big))
    error = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .msg.error"))[-1]
    assert "文件过大" in error.text

    # a proxy answering with an HTML error page: a Chinese sentence, not a JSON parse error
    browser.execute_script(
        "window.fetch = () => Promise.resolve(new Response('<html>Bad Gateway</html>',"
        " {status: 502, headers: {'Content-Type': 'text/html'}}));"
    )
    small = tmp_path / "figures.csv"
    small.write_bytes(FIGURES.read_bytes())
    browser.find_element(By.ID, "upload").send_keys(str(small))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#messages .msg.error")) >= 2)
    said = browser.find_elements(By.CSS_SELECTOR, "#messages .msg.error")[-1].text
    assert said == "服务器的答复无法识别（HTTP 502），请重试"
    browser.execute_script("window.fetch = () => Promise.reject(new TypeError('Failed to fetch'))")
    browser.find_element(By.ID, "input").send_keys("写整篇")
    browser.find_element(By.ID, "send").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#messages .msg.error")) >= 3)
    said = browser.find_elements(By.CSS_SELECTOR, "#messages .msg.error")[-1].text
    assert said.startswith("连接不上服务器")
    page = browser.find_element(By.ID, "messages").text
    for english in ("Unexpected token", "JSON", "TypeError", "Failed to fetch", "undefined"):
        assert english not in page
    shot(browser, "5-errors")
