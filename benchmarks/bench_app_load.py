"""Load on the web app: a real `newstrace serve` on loopback, many clients at once.

    PYTHONPATH=$PWD python3 benchmarks/bench_app_load.py --db /tmp/webapp-2018.duckdb

Starts `newstrace serve` on a free loopback port, sends ``--requests``
requests from ``--concurrency`` clients (a mix of list pages, search, the
overview, and the pages of the largest story: its story page, documents,
neighbourhoods and pairs, plus "where was this used"), while one more client
asks for `/api/overview` every quarter of a second. Prints throughput, p50
and p99 latency (all requests and per kind), the answers by status (503 is
the app's "busy" page), the server process's peak memory (VmHWM) and the
worst `/api/overview` latency during the run. Stops by itself: after the
requests, or after ``--max-seconds``; the server is stopped either way.
Loopback only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, data: bytes | None = None, timeout: float = 120) -> tuple[int, float, bytes]:
    t = time.perf_counter()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    except OSError:
        body, status = b"", 0
    return status, time.perf_counter() - t, body


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the app's page workers)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="a newstrace store")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--max-seconds", type=float, default=900, help="stop the run after this long")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.requests > 20_000 or args.concurrency > 64:
        sys.exit("bench_app_load: at most 20,000 requests and 64 clients")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile(mode="w+")  # the server's messages (read if it stops early)
    server = subprocess.Popen([sys.executable, "-m", "newstrace", "serve", "--db", args.db, "--port", str(port)],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=log, text=True)
    try:
        t0 = time.perf_counter()
        for _ in range(600):
            if fetch(base + "/api/overview", timeout=5)[0] == 200:
                break
            if server.poll() is not None:
                log.seek(0)
                sys.exit("serve stopped: " + log.read())
            time.sleep(0.2)
        started = time.perf_counter() - t0
        ov = json.loads(fetch(base + "/api/overview")[2])
        story = ov["stories"][0]["id"]
        docs = json.loads(fetch(base + "/documents.json?" + urlencode({"story": story}))[2])["rows"]
        ids = [d["id"] for d in docs] or [r["id"] for r in ov["documents"]]
        outlets = [o["name"] for o in ov["outlets"][:5]]
        rng = random.Random(args.seed)
        first = json.loads(fetch(base + "/api/document?" + urlencode({"id": ids[0]}))[2])
        paste = json.dumps({"text": (first.get("document") or {}).get("text", "news")[:3000]}).encode()

        def pick() -> tuple[str, str, bytes | None]:
            r = rng.random()
            if r < 0.15:
                return "overview", base + "/api/overview", None
            if r < 0.35:
                params = rng.choice([{}, {"outlet": rng.choice(outlets)}, {"sort": "published", "desc": "true"},
                                     {"story": story}, {"reuse": "wholly"}, {"page": 2}])
                return "documents", base + "/documents?" + urlencode(params), None
            if r < 0.45:
                return "lists", base + rng.choice(["/passages", "/clusters", "/duplicates", "/passages?kind=boilerplate",
                                                   "/documents.csv", "/passages.json"]), None
            if r < 0.52:
                return "search", base + "/search?" + urlencode({"q": rng.choice(["trump", "the", "said", "trade war"])}), None
            if r < 0.70:
                return "document", base + "/doc?" + urlencode({"id": rng.choice(ids)}), None
            if r < 0.80:
                return "neighbourhood", base + "/neighbourhood?" + urlencode({"id": rng.choice(ids)}), None
            if r < 0.88:
                return "story", base + f"/story/{story}", None
            if r < 0.96 and len(ids) > 1:
                a, b = rng.sample(ids, 2)
                return "pair", base + "/pair?" + urlencode({"a": a, "b": b}), None
            return "query", base + "/api/query", paste

        plan = [pick() for _ in range(args.requests)]
        results: list[tuple[str, int, float]] = []
        overview_lat: list[float] = []
        stop = threading.Event()
        deadline = time.perf_counter() + args.max_seconds

        def watch() -> None:
            while not stop.is_set():
                status, dt, _ = fetch(base + "/api/overview", timeout=30)
                overview_lat.append(dt if status == 200 else float("inf"))
                stop.wait(0.25)

        def one(item: tuple[str, str, bytes | None]) -> tuple[str, int, float]:
            if time.perf_counter() > deadline:
                return item[0], -1, 0.0
            status, dt, _ = fetch(item[1], item[2])
            return item[0], status, dt

        w = threading.Thread(target=watch, daemon=True)
        w.start()
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(one, plan))
        wall = time.perf_counter() - t
        stop.set()
        w.join(timeout=35)
        peak = peak_rss_mb(server.pid)
        workers = [m for m in (peak_rss_mb(c) for c in children(server.pid)) if m is not None]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    done = [r for r in results if r[1] != -1]
    lat = [r[2] for r in done]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _s, dt in done:
        by_kind[kind].append(dt)
    print(f"store {args.db}: {ov['counts']['documents']:,} documents; largest story {story} "
          f"({len(ids)} documents); server up in {started:.1f} s")
    print(f"{len(done):,} requests ({args.requests - len(done)} not sent: time ran out), {args.concurrency} at once, "
          f"in {wall:.1f} s: {len(done) / wall:.1f} req/s, p50 {pct(lat, 50):.3f} s, p99 {pct(lat, 99):.3f} s")
    print("answers: " + ", ".join(f"{s}: {n}" for s, n in sorted(Counter(r[1] for r in done).items())))
    for kind, xs in sorted(by_kind.items()):
        print(f"  {kind:14s} {len(xs):5d}  p50 {pct(xs, 50):.3f} s  p99 {pct(xs, 99):.3f} s  max {max(xs):.3f} s")
    print(f"server peak memory (VmHWM): {peak:.0f} MB" if peak is not None else "server peak memory: unknown")
    print(f"page workers' peak memory (VmHWM): {', '.join(f'{m:.0f} MB' for m in workers) or 'none found'}")
    worst = max(overview_lat) if overview_lat else float("nan")
    print(f"/api/overview during the run: {len(overview_lat)} probes, worst {worst:.3f} s, "
          f"p99 {pct(overview_lat, 99):.3f} s, over 1 s: {sum(x > 1 for x in overview_lat)}")


if __name__ == "__main__":
    main()
