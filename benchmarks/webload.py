"""The web figures: pages served in-process against an empty FastAPI route in the same process,
and a real ``tracker serve`` (uvicorn) under a bounded load on loopback against an empty
FastAPI app on the same uvicorn.

The load generator is a small asyncio loop on httpx (httpx2, already a dev dependency): a fixed
number of connections, each sending its next request when the last one is answered, for a
bounded time and number of requests. It runs on the same 2-core machine as the server.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
from fastapi import FastAPI
from fastapi.responses import Response
from measure import median, percentile

MAX_REQUESTS = 50_000  # the load loop never sends more than this, whatever the time


def empty_app() -> FastAPI:
    """The baseline: one FastAPI route that does nothing (a plain ``def``, as our pages are)."""
    app = FastAPI()  # (no page cache, no security headers: nothing but the framework)

    @app.get("/")
    def nothing() -> Response:
        return Response()

    return app


@dataclass(frozen=True)
class PageTimes:
    """One page's first request (made cold: nothing of it kept yet), later ones (answered from
    the page cache), and the same page from an app without the cache (made every time), in
    seconds."""

    first: float
    times: list[float]
    uncached: list[float] = field(default_factory=list)

    def json(self, empty: PageTimes | None = None) -> dict[str, Any]:
        p50, p95 = median(self.times), percentile(self.times, 0.95)
        data = {"first_ms": self.first * 1e3, "p50_ms": p50 * 1e3, "p95_ms": p95 * 1e3}
        if self.uncached:
            data["uncached_p50_ms"] = median(self.uncached) * 1e3
            data["uncached_p95_ms"] = percentile(self.uncached, 0.95) * 1e3
        if empty is not None:
            data["ratio_p50"] = p50 / median(empty.times)
            data["ratio_p95"] = p95 / percentile(empty.times, 0.95)
            data["meets_target"] = data["ratio_p50"] <= 2 and data["ratio_p95"] <= 5
        return data


def pages_in_process(
    app: Any, pages: dict[str, str], runs: int, uncached: Any = None
) -> tuple[dict[str, PageTimes], float]:
    """Each page and the empty route, ``runs`` times each, taking turns (so that the machine's
    noise falls on all of them alike); the empty route is called ``empty``. With ``uncached``
    (the same service without its page cache) each page is also asked of it in the same turns.
    Both apps are started first as a server starts them (their lifespan): how long that took
    is returned too."""
    return asyncio.run(_pages(app, empty_app(), pages, runs, uncached))


async def _pages(
    app: Any, empty: FastAPI, pages: dict[str, str], runs: int, uncached: Any
) -> tuple[dict[str, PageTimes], float]:
    apps = {"tracker": app, "empty": empty} | ({"uncached": uncached} if uncached else {})
    async with AsyncExitStack() as stack:
        began = time.perf_counter()
        for target in apps.values():
            await stack.enter_async_context(target.router.lifespan_context(target))
        started = time.perf_counter() - began
        clients = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=target), base_url="http://b")
            )
            for name, target in apps.items()
        }
        targets = {name: ("tracker", path) for name, path in pages.items()}
        targets |= {"empty": ("empty", "/")}
        first: dict[str, float] = {}
        times: dict[str, list[float]] = {name: [] for name in targets}
        slow: dict[str, list[float]] = {name: [] for name in targets}
        for turn in range(runs + 1):
            for name, (client, path) in targets.items():
                first.setdefault(name, 0.0)
                for which in (client, "uncached") if client == "tracker" else (client,):
                    if which not in clients:
                        continue
                    start = time.perf_counter()
                    response = await clients[which].get(path)
                    elapsed = time.perf_counter() - start
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} answered {response.status_code}")
                    if turn == 0:
                        first[name] = first[name] or elapsed  # the cached app's, asked first
                    else:
                        (times if which != "uncached" else slow)[name].append(elapsed)
    return {name: PageTimes(first[name], times[name], slow[name]) for name in targets}, started


@dataclass(frozen=True)
class Load:
    """What a server did under the load loop."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    peak_mb: float

    def json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": self.seconds,
            "requests_per_second": self.requests / self.seconds,
            "p50_ms": median(self.latencies) * 1e3 if self.latencies else None,
            "p95_ms": percentile(self.latencies, 0.95) * 1e3 if self.latencies else None,
            "peak_rss_mb": self.peak_mb,
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_tracker(
    repo: Path, today: date, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], int]:
    """``tracker serve`` on a free loopback port, working no summaries out ahead: at 10,000
    commits that takes minutes of CPU as it starts (``bench_ahead.py`` measures it), and the
    load measures the pages asked for, not a service's first minutes."""
    port = free_port()
    args = [sys.executable, "-m", "tracker", "serve", "--repo", str(repo), "--today"]
    args += [today.isoformat(), "--host", "127.0.0.1", "--port", str(port)]
    env = env | {"TRACKER_WORK_AHEAD": "0"}
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL), port


_EMPTY_SERVER = """
import sys, uvicorn
sys.path.insert(0, {folder!r})
from webload import empty_app
uvicorn.run(empty_app(), host="127.0.0.1", port={port}, log_level="warning")
"""


def serve_empty(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """The empty FastAPI app on the same uvicorn settings as ``tracker serve``."""
    port = free_port()
    code = _EMPTY_SERVER.format(folder=str(Path(__file__).parent), port=port)
    return subprocess.Popen([sys.executable, "-c", code], env=env), port


def load(
    server: subprocess.Popen[bytes], port: int, paths: list[str], seconds: float, connections: int
) -> Load:
    """Wait for the server, ask each path once, then the bounded load; stops the server."""
    try:
        asyncio.run(_ready(port, paths))
        result = asyncio.run(_load(port, paths, seconds, connections))
        peak = _peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return Load(result[0], result[1], result[2], result[3], peak)


async def _ready(port: int, paths: list[str], wait: float = 120.0) -> None:
    deadline = time.monotonic() + wait
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=wait) as client:
        while True:
            try:
                await client.get(paths[0])
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        for path in paths:  # the first request of each page is not part of the load
            await client.get(path)


async def _load(
    port: int, paths: list[str], seconds: float, connections: int
) -> tuple[int, int, float, list[float]]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors = 0
    sent = 0
    start = time.perf_counter()
    deadline = start + seconds

    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
    ) as client:

        async def worker() -> None:
            nonlocal errors, sent
            while time.perf_counter() < deadline and sent < MAX_REQUESTS:
                path = paths[sent % len(paths)]
                sent += 1
                began = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - began)
                errors += not ok

        await asyncio.gather(*(worker() for _ in range(connections)))
    return sent, errors, time.perf_counter() - start, latencies


def _peak_mb(pid: int) -> float:
    """A running process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
