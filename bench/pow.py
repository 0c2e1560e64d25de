"""The proof of work measured: what it costs a reader, a bot and the server, and what a
spam burst meets.

Usage: .venv/bin/python bench/pow.py [--runs 5] [--skip-browser] [--phone-rate N]

1. Solve time in Chromium (the widget's own solver, widget/src/pow.js, on real challenges)
   at each difficulty, with the CPU as is and throttled 4x and 6x (CDP
   Emulation.setCPUThrottlingRate: a mid-range and a low-end phone).
2. What a bot pays per comment: SHA-256 per second of a native loop (Python's hashlib, one
   core), so CPU-seconds per comment at each difficulty.
3. The server's cost: issuing a challenge (with the load counters' write) and verifying a
   proof (signature, hash, the spend), on SQLite, per call.
4. A project-made burst replayed on the real domain (in memory, a virtual clock): civil
   readers on a thread while bots of four kinds hit it; how many bot comments are stopped,
   what the ones that pass paid, and how many civil comments were delayed, by how much.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOLVER = ROOT / "widget" / "src" / "pow.js"
SPANS = (12_500, 25_000, 50_000, 100_000, 200_000, 400_000, 800_000)


def browser_solve_times(runs: int) -> dict[tuple[int, int], list[float]]:
    """Seconds to solve, per (throttling rate, span), ``runs`` challenges each."""
    from altcha.v1 import ChallengeOptions, create_challenge
    from playwright.sync_api import sync_playwright

    script = SOLVER.read_text().replace("export ", "")
    page_html = f"<!doctype html><script>{script}; window.solve = solve;</script>"
    found: dict[tuple[int, int], list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.route("https://bench.invalid/", lambda route: route.fulfill(
            body=page_html, content_type="text/html"))
        page.goto("https://bench.invalid/")  # a secure context: WebCrypto is there
        cdp = page.context.new_cdp_session(page)
        for rate in (1, 4, 6):
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            for span in SPANS if rate == 1 else SPANS[:5]:
                times = []
                for _ in range(runs):
                    made = create_challenge(ChallengeOptions(max_number=span, hmac_key="bench"))
                    start = time.perf_counter()
                    number = page.evaluate("c => solve(c)", made.to_dict())
                    times.append(time.perf_counter() - start)
                    assert isinstance(number, int) and number <= span
                found[rate, span] = times
                print(f"  {rate}x  {span:>7,}  median {statistics.median(times):6.2f} s"
                      f"  max {max(times):6.2f} s", flush=True)
        browser.close()
    return found


def native_rate(seconds: float = 1.0) -> float:
    """SHA-256 of ALTCHA-shaped inputs per second, one core, a plain loop."""
    salt = "0123456789abcdef01234567?expires=1764668400&site=1&issued=1764666600&"
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for n in range(count, count + 10_000):
            hashlib.sha256(f"{salt}{n}".encode()).hexdigest()
        count += 10_000
    return count / (time.perf_counter() - start)


def server_costs(calls: int = 300) -> tuple[float, float, float]:
    """Microseconds per challenge issued (with the load counters), per proof verified and
    spent (SQLite), and per verification of the signature and the hash alone (CPU)."""
    from palabre.domain import challenge
    from palabre.domain.context import Context
    from palabre.domain.identity import SYSTEM
    from palabre.domain.inputs import CommentDraft
    from palabre.domain.sites import change_settings, ensure_site
    from palabre.settings import ServerConfig
    from palabre.storage import migrate, open_storage

    async def work(url: str) -> tuple[float, float, float]:
        ctx = Context(storage=open_storage(url), secret="bench-secret",
                      config=ServerConfig(rate_window_seconds=3600))
        await ensure_site(ctx.storage)
        await change_settings(ctx, "default", {"pow_difficulty": 1000, "pow_max_rise": 4,
                                               "min_submit_seconds": 0}, SYSTEM)
        site = await ctx.site("default")
        start = time.perf_counter()
        given = [await challenge.issue(ctx, "default", "/a", f"net-{n}") for n in range(calls)]
        issue_us = (time.perf_counter() - start) / calls * 1e6
        drafts = [CommentDraft(uri="/a", text="x", proof=challenge.solve(g.challenge or {}))
                  for g in given]
        start = time.perf_counter()
        for draft in drafts:
            async with ctx.storage.write() as tx:
                await challenge.check(tx, ctx.secret, site, draft, ctx.clock())
        verify_us = (time.perf_counter() - start) / calls * 1e6
        key = challenge.signing_key(ctx.secret)
        payloads = [challenge.decode(d.proof) or {} for d in drafts] * 20
        start = time.perf_counter()
        assert all(challenge.verified(p, key) for p in payloads)
        cpu_us = (time.perf_counter() - start) / len(payloads) * 1e6
        await ctx.storage.close()
        return issue_us, verify_us, cpu_us

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/pow.db"
        migrate.upgrade(url)
        return asyncio.run(work(url))


class Replay:
    """One thread under a spam burst, on the real domain with a virtual clock."""

    def __init__(self, phone_rate: float, desktop_rate: float, bot_rate: float,
                 seed: int = 7) -> None:
        from datetime import UTC, datetime, timedelta

        from palabre.domain.context import Context
        from palabre.settings import ServerConfig
        from palabre.storage.memory import MemoryStorage

        self.random = random.Random(seed)
        self.start = datetime(2026, 12, 2, 12, tzinfo=UTC)
        self.now = 0.0
        self.delta = timedelta
        self.ctx = Context(storage=MemoryStorage(), secret="bench-secret",
                           clock=lambda: self.start + self.delta(seconds=self.now),
                           config=ServerConfig(post_rate_limit=5, rate_window_seconds=60))
        self.rates = {"phone": phone_rate, "desktop": desktop_rate, "bot": bot_rate}
        self.events: list[tuple[float, int, Callable[[], Any]]] = []
        self.outcomes: dict[str, dict[str, int]] = {}
        self.delays: list[float] = []
        self.bot_work: dict[str, int] = {}
        self.civil_spans: list[int] = []

    def at(self, when: float, action: Callable[[], Any]) -> None:
        import heapq
        heapq.heappush(self.events, (when, len(self.events) + 1, action))

    def count(self, kind: str, outcome: str) -> None:
        kinds = self.outcomes.setdefault(kind, {})
        kinds[outcome] = kinds.get(outcome, 0) + 1

    async def issue(self, network: str) -> dict[str, Any]:
        from palabre.domain import challenge
        given = await challenge.issue(self.ctx, "default", "/article", network)
        assert given.challenge is not None
        return given.challenge

    async def post(self, kind: str, client: str, **fields: str) -> None:
        from palabre.domain import comments
        from palabre.domain.errors import PalabreError
        from palabre.domain.identity import Actor
        from palabre.domain.inputs import parse_comment_draft

        draft = parse_comment_draft({"uri": "/article", "text": f"{kind} {self.now} {client}",
                                     **fields})
        try:
            await comments.post_comment(self.ctx, draft, Actor(client=client))
        except PalabreError as refused:
            self.count(kind, refused.reason or refused.code)
        else:
            self.count(kind, "posted")

    def solve(self, given: dict[str, Any]) -> tuple[str, int]:
        """The proof, and the hashes it took (the solver stops at the number)."""
        import base64

        import orjson

        from palabre.domain import challenge
        proof = challenge.solve(given)
        return proof, int(orjson.loads(base64.b64decode(proof))["number"]) + 1

    def civil(self, n: int, focus: float) -> None:
        device = "phone" if n % 2 else "desktop"
        typing = max(2.0, self.random.lognormvariate(3.8, 1.0))  # median ~45 s

        async def open_form() -> None:
            given = await self.issue(f"civil-net-{n}")
            proof, hashes = self.solve(given)
            self.civil_spans.append(int(given["maxNumber"]))
            ready = self.now + typing
            sent = max(ready, self.now + hashes / self.rates[device], self.now + 3)
            self.delays.append(sent - ready)
            self.at(sent, lambda: self.post("civil", f"civil-{n}", proof=proof))

        self.at(focus, open_form)

    def bot(self, kind: str, n: int, when: float, network: str) -> None:
        client = f"{kind}-{n}"

        async def attack() -> None:
            if kind == "naive":
                return await self.post(kind, client)
            given = await self.issue(network)
            proof, hashes = self.solve(given)
            fields = {"proof": proof, "honeypot": "cheap pills" if kind == "form" else ""}
            wait = max(hashes / self.rates["bot"], 3.0)
            self.bot_work[kind] = self.bot_work.get(kind, 0) + hashes
            if kind == "replay":
                self.at(self.now + wait, lambda: self.replays(client, proof))
            else:
                self.at(self.now + wait, lambda: self.post(kind, client, **fields))

        self.at(when, attack)

    async def replays(self, client: str, proof: str) -> None:
        for copy in range(10):
            await self.post("replay", f"{client}-{copy}", proof=proof)

    async def run(self) -> None:
        import heapq

        from palabre.domain.sites import ensure_site
        await ensure_site(self.ctx.storage)
        while self.events:
            self.now, _, action = heapq.heappop(self.events)
            result = action()
            if asyncio.iscoroutine(result):
                await result


def replay_burst(phone_rate: float, desktop_rate: float, bot_rate: float) -> Replay:
    """30 minutes of one article: 120 readers write a comment each (forms opened evenly),
    and from minute 10 to 20 a burst: 1,000 posts without a proof, 100 form-filling bots
    (the honeypot), 20 solved proofs replayed 10 times each, 300 bots that do everything
    right, from three /24 networks, and 300 more from one /24 within a minute."""
    replay = Replay(phone_rate, desktop_rate, bot_rate)
    for n in range(120):
        replay.civil(n, 1800 * n / 120)
    for kind, total in (("naive", 1000), ("form", 100), ("replay", 20), ("solver", 300)):
        for n in range(total):
            replay.bot(kind, n, replay.random.uniform(600, 1200), f"{kind}-net-{n % 3}")
    for n in range(300):
        replay.bot("flood", n, replay.random.uniform(900, 960), "flood-net")
    asyncio.run(replay.run())
    return replay


def report_replay(replay: Replay, bot_rate: float) -> None:
    print("\n4. A spam burst replayed (bench/pow.py replay_burst)")
    for kind, outcomes in replay.outcomes.items():
        total = sum(outcomes.values())
        stopped = total - outcomes.get("posted", 0)
        detail = ", ".join(f"{reason} {count}" for reason, count in sorted(outcomes.items()))
        print(f"  {kind:<7} {total:>5} attempts, {stopped:>5} stopped ({detail})")
    for kind in ("solver", "flood"):
        posted = replay.outcomes.get(kind, {}).get("posted", 0)
        hashes = replay.bot_work.get(kind, 0)
        print(f"  {kind} bots' work: {hashes:,} hashes, {hashes / bot_rate:.1f} CPU-s at "
              f"{bot_rate:,.0f}/s; per comment posted: "
              f"{hashes / max(1, posted) / bot_rate * 1000:.0f} ms of CPU")
    delays = sorted(replay.delays)
    late = [d for d in delays if d > 0.05]
    print(f"  civil: {len(delays)} comments; {len(late)} delayed"
          f" (median {statistics.median(late) if late else 0:.1f} s,"
          f" max {max(late) if late else 0:.1f} s); spans asked: "
          f"{min(replay.civil_spans):,} to {max(replay.civil_spans):,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--phone-rate", type=float, default=0.0,
                        help="hashes/s of a low-end phone (default: measured, 6x throttled)")
    args = parser.parse_args()
    phone, desktop = args.phone_rate or 20_000.0, 60_000.0
    if not args.skip_browser:
        print("1. Solve time in Chromium (widget/src/pow.js), by CPU throttling and span")
        times = browser_solve_times(args.runs)
        # A solver finds the number after half the span on average.
        rate = {r: statistics.median(s / 2 / statistics.median(t) for (q, s), t in times.items()
                                     if q == r) for r in (1, 4, 6)}
        print("  hashes/s (median over spans): " + ", ".join(
            f"{r}x {v:,.0f}" for r, v in rate.items()))
        phone, desktop = args.phone_rate or rate[6], rate[1]
    bot = native_rate()
    print(f"\n2. A bot's cost: {bot:,.0f} SHA-256/s on one core (hashlib)")
    for span in SPANS:
        print(f"  span {span:>7,}: {span / 2 / bot * 1000:7.1f} ms of CPU per comment on "
              f"average; 10,000 comments: {span / 2 / bot * 10_000 / 3600:5.2f} CPU-hours")
    issue_us, verify_us, cpu_us = server_costs()
    print(f"\n3. Server: {issue_us:,.0f} us per challenge issued (with the load counters' "
          f"write), {verify_us:,.0f} us per proof verified and spent (SQLite, one write "
          f"transaction each), of which {cpu_us:,.1f} us of signature and hash checks")
    report_replay(replay_burst(phone, desktop, bot), bot)


if __name__ == "__main__":
    main()
