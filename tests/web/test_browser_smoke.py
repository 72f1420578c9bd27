"""The browser harness works: headless Chromium follows a link on a page served by aiohttp and its screenshot
shows something; the standard-library PNG check decodes every filter type and calls a one-colour image blank."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from aiohttp import web
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.web.browser import decode_png, screenshot_is_not_blank, served

pytestmark = pytest.mark.slow  # a real Chromium process; skipped by the quick tier (-m "not slow")

INDEX = """<!doctype html><html><head><title>Clausewatch</title></head><body>
<h1>Clausewatch</h1><p><a id="changes" href="/changes">What changed</a></p></body></html>"""
CHANGES = """<!doctype html><html><head><title>Changes</title></head>
<body style="font-family: sans-serif"><h1>Rules changed</h1>
<p style="background: #fde68a; padding: 1em">Section 4.2 now grants the platform a licence to train on uploads.</p>
</body></html>"""


def _site() -> web.Application:
    async def index(request: web.Request) -> web.Response:
        return web.Response(text=INDEX, content_type="text/html")

    async def changes(request: web.Request) -> web.Response:
        return web.Response(text=CHANGES, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/changes", changes)
    return app


def test_follows_a_link_and_screenshots_the_new_page(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """`browser` comes from tests/web/conftest.py."""
    with served(_site) as base_url:
        browser.get(base_url + "/")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Clausewatch"
        browser.find_element(By.ID, "changes").click()
        WebDriverWait(browser, 10).until(expected_conditions.url_to_be(base_url + "/changes"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Rules changed"
        png = browser.get_screenshot_as_png()
        viewport = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    (tmp_path / "changes.png").write_bytes(png)  # kept by pytest for a person to look at
    image = decode_png(png)
    assert [image.width, image.height] == viewport  # the 1280x900 window less headless Chromium's frame
    assert screenshot_is_not_blank(png)


def _paeth(left: int, up: int, up_left: int) -> int:
    estimate = left + up - up_left
    return min((abs(estimate - left), 0, left), (abs(estimate - up), 1, up), (abs(estimate - up_left), 2, up_left))[2]


def _filtered(kind: int, row: bytes, prior: bytes, bpp: int) -> bytes:
    """Apply PNG filter `kind` to one scanline, the encoder's side of what decode_png undoes."""
    out = bytearray([kind])
    for i, value in enumerate(row):
        left = row[i - bpp] if i >= bpp else 0
        up_left = prior[i - bpp] if i >= bpp else 0
        predictor = [0, left, prior[i], (left + prior[i]) >> 1, _paeth(left, prior[i], up_left)][kind]
        out.append((value - predictor) & 0xFF)
    return bytes(out)


def _png(rows: list[bytes], width: int, channels: int, filters: list[int]) -> bytes:
    """Encode 8-bit RGB (3) or RGBA (4) rows into a PNG, row y filtered with filters[y % len(filters)]."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    colour_type = {3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", width, len(rows), 8, colour_type, 0, 0, 0)
    prior = bytes(width * channels)
    raw = b""
    for y, row in enumerate(rows):
        raw += _filtered(filters[y % len(filters)], row, prior, channels)
        prior = row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("channels", [3, 4], ids=["rgb", "rgba"])
def test_a_one_colour_png_is_blank(channels: int) -> None:
    white = b"\xff" * channels
    png = _png([white * 16 for _ in range(8)], 16, channels, filters=[0, 1, 2, 3, 4])
    assert not screenshot_is_not_blank(png)


@pytest.mark.parametrize("kind", [0, 1, 2, 3, 4], ids=["none", "sub", "up", "average", "paeth"])
@pytest.mark.parametrize("channels", [3, 4], ids=["rgb", "rgba"])
def test_every_filter_type_decodes_to_the_pixels_encoded(kind: int, channels: int) -> None:
    width = 7
    rows = [bytes((x * 37 + y * 91 + c * 53) % 256 for x in range(width) for c in range(channels)) for y in range(5)]
    image = decode_png(_png(rows, width, channels, filters=[kind]))
    assert (image.width, image.height, image.channels, image.rows) == (width, 5, channels, rows)
    assert screenshot_is_not_blank(_png(rows, width, channels, filters=[kind]))
