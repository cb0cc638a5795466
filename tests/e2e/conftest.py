"""Browser tests: a real server (embedded SQLite with the demo) driven by Debian's Chromium through
Playwright. Without Chromium or the built console they skip with a message; under CI they must run."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import CI

STATIC_INDEX = Path(__file__).resolve().parents[2] / "src" / "dataasset" / "static" / "index.html"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(message: str) -> None:
    if CI:
        pytest.fail(message + " — CI=true 时浏览器测试为必跑项", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dataasset demo` then `dataasset serve` on a free port, as a user would run them."""
    if not STATIC_INDEX.is_file():
        _unavailable(f"控制台尚未构建（缺少 {STATIC_INDEX}）：请先运行 make install")
    var = tmp_path_factory.mktemp("var")
    port = _free_port()
    env = {
        **os.environ,
        "DATAASSET_VAR_DIR": str(var),
        "DATAASSET_DATABASE_URL": "",
        "DATAASSET_SECRET_KEY": "e2e-secret-key-0123456789abcdef",
        "DATAASSET_LOG_LEVEL": "warning",
    }
    subprocess.run([sys.executable, "-m", "dataasset", "demo"], env=env, check=True, capture_output=True)
    log = (var / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dataasset", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("server did not start: " + (var / "server.log").read_text())
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        _unavailable("未找到 chromium（Debian 软件包 chromium）")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("未安装 playwright（pip install -e '.[dev]'）")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1440, "height": 900}
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()
