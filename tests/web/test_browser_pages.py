"""The web view in a real headless Chromium, on the offline demo's store: the stylesheet applies under the strict
policy (no violation logged), the diff's highlights show, a clause permalink lands on its clause, the side-by-side
and inline views toggle, the timeline's dots are drawn and lead to the diff, and the screenshots show something."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aiohttp import web
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from bot.app import load_config
from bot.store.database import Store
from bot.web.site import web_application
from tests.web.browser import screenshot_is_not_blank, served

pytestmark = pytest.mark.slow  # a real Chromium process; skipped by the quick tier (-m "not slow")

# Where the screenshots go: a temporary folder, or (to refresh the README's) CLAUSEWATCH_SCREENSHOTS=tests/web/screenshots.
SCREENSHOTS = os.environ.get("CLAUSEWATCH_SCREENSHOTS")


def site_of(folder: Path) -> web.Application:
    config = load_config(folder / "feeds.yaml")

    async def build() -> web.Application:
        store = await Store.open_for_reading(config.storage)
        app = web_application(store, lambda: config)

        async def close(_: web.Application) -> None:
            await store.close()

        app.on_cleanup.append(close)
        return app

    return build  # type: ignore[return-value]  # served() awaits a coroutine function's app


def wait_for_url(driver: webdriver.Chrome, fragment: str) -> None:
    WebDriverWait(driver, 20).until(expected_conditions.url_contains(fragment))


def no_policy_violation(driver: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] or entry["level"] == "SEVERE"]


def save(driver: webdriver.Chrome, name: str, tmp_path: Path) -> bytes:
    png = driver.get_screenshot_as_png()
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(png)
    return png


def test_the_change_page_highlights_links_to_a_clause_and_toggles_views(browser: webdriver.Chrome, demo_folder: Path,
                                                                        tmp_path: Path) -> None:
    with served(lambda: site_of(demo_folder)()) as base:  # type: ignore[operator]
        browser.get(base + "/")
        browser.find_element(By.LINK_TEXT, "Cloudtune").click()
        wait_for_url(browser, "/platforms/cloudtune")
        dot = browser.find_element(By.CSS_SELECTOR, "svg.timeline circle.severity-high")
        assert dot.is_displayed() and dot.value_of_css_property("fill") == "rgb(192, 38, 45)"  # the stylesheet applied
        browser.set_window_size(1280, 1400)
        assert screenshot_is_not_blank(save(browser, "platform.png", tmp_path))
        browser.set_window_size(1280, 900)
        browser.find_element(By.CSS_SELECTOR, "svg.timeline a").click()  # the dot leads to the change
        wait_for_url(browser, "/changes/")

        row = browser.find_element(By.ID, "clause-3.4")
        added = row.find_element(By.CSS_SELECTOR, "td.new ins")
        assert "inform, train and develop" in added.text
        assert added.value_of_css_property("background-color") == "rgba(220, 245, 226, 1)"  # highlighted
        assert len(row.find_elements(By.CSS_SELECTOR, "td.text")) == 2  # side by side: before and after
        assert screenshot_is_not_blank(save(browser, "change.png", tmp_path))

        row.find_element(By.CSS_SELECTOR, "a.permalink").click()
        wait_for_url(browser, "#clause-3.4")
        target = browser.find_element(By.CSS_SELECTOR, "tr:target")
        assert target.get_attribute("id") == "clause-3.4" and target.value_of_css_property("outline-style") == "solid"
        assert browser.execute_script("return window.scrollY") > 0 or target.is_displayed()

        browser.find_element(By.ID, "to-inline").click()
        wait_for_url(browser, "view=inline")
        inline = browser.find_element(By.ID, "clause-3.4")
        assert len(inline.find_elements(By.CSS_SELECTOR, "td.text")) == 1
        assert inline.find_element(By.CSS_SELECTOR, "ins").is_displayed()
        browser.find_element(By.ID, "to-side").click()
        WebDriverWait(browser, 20).until(lambda d: "view=inline" not in d.current_url)
        assert len(browser.find_element(By.ID, "clause-3.4").find_elements(By.CSS_SELECTOR, "td.text")) == 2
        assert no_policy_violation(browser) == []
