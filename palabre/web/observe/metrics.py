"""``GET /metrics``: the server's numbers in Prometheus' text format (prometheus_client).

What is counted, and where:

- requests by route (the route's template, never the raw path), method and status, and
  their duration (a histogram), by :class:`~palabre.web.observe.middleware.Observed` for
  every request that reaches the application;
- cached reads answered before the application (web/cache/fastpath.py) bump plain
  integers there; they are folded into the same request counter and into the cache's
  hit / miss counters when the numbers are collected (at each scrape, and every few
  seconds with several workers), so a hit costs an integer addition, not a metric call;
- live-update streams open (the worker's hub);
- read from the database at scrape time, at most every ``DATABASE_SECONDS``: the newest
  outbox event, how far the slowest outbox consumer is behind it, and each site's
  moderation queue (pending comments).

With several workers (``palabre serve --workers N``), each is a process: ``palabre serve``
gives them a fresh folder in ``PROMETHEUS_MULTIPROC_DIR`` and prometheus_client's
multiprocess mode sums every worker's counters, whichever worker answers the scrape.

The endpoint is closed by default (404): ``metrics_token`` opens it to a bearer token,
``metrics_networks`` to client addresses (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain.ports import Storage
from palabre.settings import ServerConfig
from palabre.web.http.clients import Network, client_address, parse_networks
from palabre.web.state import state

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # set by web/observe/serving.py
DATABASE_SECONDS = 5.0  # the outbox and queue figures are read at most this often
FLUSH_SECONDS = 5.0  # with several workers, each folds its counts in this often
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class CountedReads(Protocol):
    """What the cache layer counts (web/cache/fastpath.py:CachedReads)."""

    hits: dict[str, int]
    revalidated: dict[str, int]
    misses: dict[str, int]


class Streams(Protocol):
    @property
    def streams(self) -> int: ...


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_VARIABLE) or None


class DatabaseFigures(Collector):
    """The figures read from the database, kept for ``DATABASE_SECONDS``."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.read_at = -DATABASE_SECONDS
        self.last_event = self.lag = 0
        self.pending: dict[str, int] = {}

    async def refresh(self) -> None:
        if time.monotonic() - self.read_at < DATABASE_SECONDS:
            return
        last = await self.storage.last_event_id()
        slowest = await self.storage.slowest_cursor()
        pending: dict[str, int] = {}
        for site in await self.storage.list_sites():
            _, pending[site.slug] = await self.storage.moderation_queue(
                site.id, "pending", "", 0, 0)
        self.last_event, self.lag = last, max(0, last - (slowest if slowest is not None else last))
        self.pending, self.read_at = pending, time.monotonic()

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("palabre_outbox_last_event_id",
                                "Id of the newest event in the outbox.", value=self.last_event)
        yield GaugeMetricFamily(
            "palabre_outbox_lag_events", "Events between the newest one and the position of "
            "the slowest outbox consumer (mail, webhooks, ...).", value=self.lag)
        queue = GaugeMetricFamily("palabre_moderation_pending",
                                  "Comments waiting for a moderator.", labels=["site"])
        for slug, count in sorted(self.pending.items()):
            queue.add_metric([slug], count)
        yield queue


class Metrics:
    """This worker's metrics, and the registry a scrape reads."""

    def __init__(self, storage: Storage) -> None:
        self.folder = multiprocess_dir()
        own = None if self.folder else CollectorRegistry()  # several workers: files instead
        self.requests = Counter("palabre_http_requests", "HTTP requests answered.",
                                ["route", "method", "status"], registry=own)
        self.duration = Histogram(
            "palabre_http_request_duration_seconds", "Time to answer requests that reach "
            "the application (cache hits, answered before it in microseconds, are not "
            "timed; live-update streams neither).", ["route"], buckets=BUCKETS, registry=own)
        self.cache_hits = Counter("palabre_cache_hits", "Reads answered from the read cache "
                                  "(200 or 304).", ["route"], registry=own)
        self.cache_misses = Counter("palabre_cache_misses", "Cacheable reads the cache could "
                                    "not answer.", ["route"], registry=own)
        self.streams = Gauge("palabre_live_streams", "Live-update streams open.",
                             registry=own, multiprocess_mode="livesum")
        self.database = DatabaseFigures(storage)
        self.registry = own or CollectorRegistry()
        if self.folder:
            multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
                self.registry, path=self.folder)
        self.registry.register(self.database)
        self.reads: CountedReads | None = None
        self.hub: Streams | None = None
        self._folded: dict[tuple[str, str, str], int] = {}
        self._task: asyncio.Task[None] | None = None

    def observe(self, route: str, method: str, status: int, seconds: float | None) -> None:
        """One request answered by the application (``seconds`` None: not timed)."""
        self.requests.labels(route, method, str(status)).inc()
        if seconds is not None:
            self.duration.labels(route).observe(seconds)

    def fold(self) -> None:
        """Add what the cache layer counted since the last fold, and the streams open."""
        if self.hub is not None:
            self.streams.set(self.hub.streams)
        if self.reads is None:
            return
        for kind, counts in (("200", self.reads.hits), ("304", self.reads.revalidated),
                             ("miss", self.reads.misses)):
            for route, count in list(counts.items()):
                delta = count - self._folded.get((kind, route, ""), 0)
                if not delta:
                    continue
                self._folded[(kind, route, "")] = count
                if kind == "miss":
                    self.cache_misses.labels(route).inc(delta)
                else:
                    self.cache_hits.labels(route).inc(delta)
                    self.requests.labels(route, "GET", kind).inc(delta)

    async def exposition(self) -> bytes:
        self.fold()
        await self.database.refresh()
        return generate_latest(self.registry)

    def start(self) -> None:
        if self.folder:
            self._task = asyncio.create_task(self._fold_now_and_then())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.fold()
        if self.folder:
            multiprocess.mark_process_dead(  # type: ignore[no-untyped-call]
                os.getpid(), self.folder)

    async def _fold_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.fold()


class Access:
    """Who may read /metrics: the bearer of ``metrics_token``, or a client in
    ``metrics_networks``; nobody when neither is set."""

    def __init__(self, config: ServerConfig) -> None:
        self.token = config.metrics_token.encode()
        self.networks: tuple[Network, ...] = parse_networks(config.metrics_networks)

    @property
    def open(self) -> bool:
        return bool(self.token or self.networks)

    def allows(self, request: Request) -> bool:
        if self.token:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                    given.strip().encode(), self.token):
                return True
        if self.networks:
            return within(client_address(request, state(request).proxies), self.networks)
        return False


def within(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


async def metrics_endpoint(request: Request) -> Response:
    access: Access = request.app.state.metrics_access
    if not access.open:
        return Response("Not Found\n", 404, media_type="text/plain")
    if not access.allows(request):
        return Response("Unauthorized\n", 401, media_type="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    metrics: Metrics = request.app.state.metrics
    return Response(await metrics.exposition(), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


routes = [Route("/metrics", metrics_endpoint, methods=["GET"])]
