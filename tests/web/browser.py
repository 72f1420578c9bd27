"""Drive pages in a real headless browser: Debian's Chromium and ChromeDriver through Selenium, an aiohttp
app served from a background thread, and a standard-library PNG check that a screenshot shows something."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.selenium_manager import SeleniumManager

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
NOT_INSTALLED = "Debian's chromium and chromium-driver are not installed; .ci/run installs them"


def browser_is_installed() -> bool:
    return all(path.is_file() and os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER))


def chrome_options() -> webdriver.ChromeOptions:
    """Headless Chromium as root in a container: no sandbox, no GPU, no /dev/shm, no traffic of its own."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--no-first-run", "--no-default-browser-check",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages, CSP violations included
    return options


def _selenium_manager_must_not_run(self: SeleniumManager, args: list[str]) -> dict[str, str]:
    raise RuntimeError(f"selenium-manager was asked to find a driver ({args}); pass Service(executable_path) instead")


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """A headless Chromium WebDriver for the test module, quit afterwards; skips where Chromium is missing."""
    if not browser_is_installed():
        pytest.skip(NOT_INSTALLED)
    with pytest.MonkeyPatch.context() as patch:
        # The driver path is given, so Selenium skips selenium-manager; should that change, it must neither
        # run (the guard) nor download anything (SE_OFFLINE, read by the selenium-manager binary).
        patch.setenv("SE_OFFLINE", "true")
        patch.setattr(SeleniumManager, "binary_paths", _selenium_manager_must_not_run)
        driver = webdriver.Chrome(options=chrome_options(), service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()


@contextmanager
def served(app_factory: Callable[[], web.Application | Awaitable[web.Application]]) -> Iterator[str]:
    """Serve the app that `app_factory` builds (inside the server thread's own event loop; it may be a coroutine
    function, e.g. to open a store there) on 127.0.0.1 at a free port; yield its base URL, e.g.
    "http://127.0.0.1:40123", and stop the server on exit."""
    started: concurrent.futures.Future[tuple[str, asyncio.AbstractEventLoop, asyncio.Event]] = (
        concurrent.futures.Future())

    async def serve() -> None:
        try:
            built = app_factory()
            runner = web.AppRunner(built if isinstance(built, web.Application) else await built, access_log=None)
            await runner.setup()
        except BaseException as error:
            started.set_exception(error)
            raise
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            stop = asyncio.Event()
            started.set_result((f"http://127.0.0.1:{runner.addresses[0][1]}", asyncio.get_running_loop(), stop))
            await stop.wait()
        except BaseException as error:
            if not started.done():
                started.set_exception(error)
            raise
        finally:
            await runner.cleanup()

    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as error:  # reported by the caller's thread instead of the thread excepthook
            failure.append(error)

    thread = threading.Thread(target=run, name="served-aiohttp", daemon=True)
    thread.start()
    base_url, loop, stop = started.result(timeout=30)
    try:
        yield base_url
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        if failure:
            raise RuntimeError("the served aiohttp app failed") from failure[0]


@dataclass(frozen=True)
class Png:
    """A decoded 8-bit PNG: `rows` holds `height` rows of `width * channels` bytes (RGB or RGBA)."""

    width: int
    height: int
    channels: int
    rows: list[bytes]


_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}  # colour type → samples per pixel: truecolour, truecolour with alpha


def _unfilter(kind: int, line: bytes, prior: bytes, bpp: int) -> bytes:
    """Undo one scanline's filter (PNG spec, section 9): 0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth."""
    if kind == 0:
        return line
    if kind == 2:  # bytewise (line + prior) mod 256 over the whole line at once, without carries between bytes
        size = len(line)
        high = int.from_bytes(b"\x80" * size, "big")
        a, b = int.from_bytes(line, "big"), int.from_bytes(prior, "big")
        return (((a & ~high) + (b & ~high)) ^ ((a ^ b) & high)).to_bytes(size, "big")
    out = bytearray(line)
    size = len(out)
    if kind == 1:
        for i in range(bpp, size):
            out[i] = (out[i] + out[i - bpp]) & 0xFF
    elif kind == 3:
        for i in range(size):
            left = out[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + ((left + prior[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(size):
            if i >= bpp:
                left, up_left = out[i - bpp], prior[i - bpp]
            else:
                left = up_left = 0
            up = prior[i]
            estimate = left + up - up_left
            to_left, to_up, to_up_left = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
            if to_left <= to_up and to_left <= to_up_left:
                predictor = left
            elif to_up <= to_up_left:
                predictor = up
            else:
                predictor = up_left
            out[i] = (out[i] + predictor) & 0xFF
    else:
        raise ValueError(f"unknown PNG filter type {kind}")
    return bytes(out)


def decode_png(png: bytes) -> Png:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are) with zlib and struct."""
    if not png.startswith(_SIGNATURE):
        raise ValueError("not a PNG")
    position, header, data = len(_SIGNATURE), b"", bytearray()
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        position += 12 + length  # length, type, body, CRC
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        elif kind == b"IEND":
            break
    if len(header) != 13:
        raise ValueError("PNG without a valid IHDR chunk")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in _CHANNELS or compression != 0 or filtering != 0 or interlace != 0:
        raise ValueError(f"unsupported PNG: bit depth {depth}, colour type {colour}, interlace {interlace}")
    channels = _CHANNELS[colour]
    stride = width * channels
    raw = zlib.decompress(bytes(data))
    if len(raw) < height * (stride + 1):
        raise ValueError("PNG image data is shorter than its IHDR says")
    rows: list[bytes] = []
    prior = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        prior = _unfilter(raw[start], raw[start + 1:start + 1 + stride], prior, channels)
        rows.append(prior)
    return Png(width, height, channels, rows)


def screenshot_is_not_blank(png: bytes, min_colours: int = 3, min_share: float = 0.005) -> bool:
    """True when the image has at least `min_colours` distinct colours, or when more than `min_share` of its
    pixels differ from the most common (background) colour; False for an empty or one-colour image."""
    image = decode_png(png)
    colours: Counter[bytes] = Counter()
    step = image.channels
    for row in image.rows:
        first = row[:step]
        if row == first * image.width:  # a plain row, common in screenshots: count it at once
            colours[first] += image.width
        else:
            colours.update(row[i:i + step] for i in range(0, len(row), step))
    total = image.width * image.height
    if total == 0:
        return False
    if len(colours) >= min_colours:
        return True
    background = colours.most_common(1)[0][1]
    return (total - background) / total > min_share
