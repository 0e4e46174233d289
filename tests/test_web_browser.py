"""The web chat in a real headless Chromium (Debian's chromium + chromium-driver, no downloads):
load the page, ask for a section, watch the stream, read a number's source, download the .docx.

CI installs the browser (.ci/run), so a missing browser fails the test; set
ASSISTANT_SKIP_BROWSER=1 to skip it on a machine without one.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import uvicorn

from assistant.settings import Settings
from assistant.web import create_app
from tests.chat_support import FIGURES, UNIT, ingested_settings

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

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = ingested_settings(tmp_path)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/", settings
    runner.should_exit = True
    thread.join(timeout=10)


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
    try:
        yield driver
    finally:
        driver.quit()


def test_request_a_section_in_the_browser(server, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = server
    wait = WebDriverWait(browser, 30)
    browser.get(url)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    Select(browser.find_element(By.ID, "figures")).select_by_value(FIGURES.name)
    browser.find_element(By.ID, "unit").send_keys(UNIT)

    attack = "<img src=x onerror=window.__pwned=1>"
    box = browser.find_element(By.ID, "input")
    box.send_keys(attack + "帮我起草上半年大气污染防治部分")
    browser.find_element(By.ID, "send").click()

    # the reply streams into a bubble, then becomes the rendered draft with highlighted numbers
    numbers = wait.until(
        ready.presence_of_all_elements_located((By.CSS_SELECTOR, "#messages .draft span.num"))
    )
    pm25 = next(n for n in numbers if n.text == "38.4微克/立方米")
    source = pm25.get_attribute("title")
    assert source.startswith("来源：") and "区环境监测站月报（2025年6月）" in source
    assert "pm25_avg" in source
    # the user's HTML is shown as text, never run
    user_bubble = browser.find_element(By.CSS_SELECTOR, "#messages .msg.user")
    assert attack in user_bubble.text
    assert browser.find_elements(By.CSS_SELECTOR, "#messages img") == []
    assert browser.execute_script("return window.__pwned === undefined")
    assert "第 1 版" in browser.find_element(By.ID, "current-version").text
    meta = browser.find_element(By.CSS_SELECTOR, "#messages .msg .meta").text
    assert f"已核对数字 {len(numbers)} 个" in meta and "待处理" not in meta

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

    screenshot = tmp_path / "web-chat.png"
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")
