"""Headless Chromium with no network but this machine: how a classroom with no internet sees a page.

Every request to another host goes to a proxy that is not there (127.0.0.1:9; Chromium connects to
localhost directly) and no host name resolves, so a page that needs a CDN shows what it would show
offline. Chromium's network log records every request the page made, so a test can also prove that
nothing tried to leave the machine. Used by tests/test_slides_offline.py and tests/test_book.py;
skipped, saying why, where no browser can be installed (tests/test_browser.py's ``find_browser``).
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import pytest
from test_browser import CHROMIUM_FLAGS, find_browser

OFFLINE_FLAGS = ["--proxy-server=127.0.0.1:9",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"]
# file: and data: are the page's own; chrome: is the browser's built-in new-tab page, never the network.
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "chrome-untrusted"}


@contextmanager
def offline_chromium(tmp_path: Path) -> Iterator:
    """A Selenium driver for headless Chromium that cannot reach the internet; quit on exit."""
    chromium, driver_path = find_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium  # with both paths given, Selenium Manager downloads nothing
    for flag in CHROMIUM_FLAGS + OFFLINE_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path, log_output=str(tmp_path / "chromedriver.log")),
                              options=options)
    try:
        yield driver
    finally:
        driver.quit()


def requests_made(driver) -> list[str]:
    """URLs the browser requested since the last call (Chromium's network log; reading it empties it)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def not_local(urls: list[str]) -> list[str]:
    """The URLs that would have needed a network: any host other than this machine."""
    def local(url: str) -> bool:
        parsed = urlparse(url)
        return parsed.scheme in LOCAL_SCHEMES or parsed.hostname in ("127.0.0.1", "localhost")
    return [url for url in urls if not local(url)]


def console_errors(driver) -> list[str]:
    """Errors the page logged to the console since the last call (failed loads included)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_until(driver, script: str, timeout: float, what: str, *args):
    """Poll ``script`` (JavaScript returning a truthy value when ready) until it holds; fail saying what."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = driver.execute_script(script, *args)
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")
