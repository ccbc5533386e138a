"""Peer driver for iconik-bench: the same GET workload on the Python clients.

    python peer_driver.py --versions
    python peer_driver.py --peer aiopythonik|nsa-pythonik --mode overhead|limits|faults \
        --n N --workers W --base-url URL --app-id ID --auth-token TOKEN --asset ASSET_ID

Prints one JSON line: ok, failed, wall_s, cpu_s (time.process_time(): user +
sys of every thread of this process), peak_rss_kib (ru_maxrss), start_unix,
end_unix, first_error. Only the work is timed (imports and client set-up
are not).

- aiopythonik: AsyncPythonikClient, W coroutines each looping on
  `assets.get(id)` (the spec object is built once), max_workers=W and
  pool_maxsize=W. mode overhead: disable_rate_limit_handling=True; modes
  limits and faults: its default RateLimitConfig (what a user gets).
  Success: HTTP 200 with a parsed model.
- nsa-pythonik: the generated client, `pythonik.friendly.Iconik(...).get_asset(id)`
  (httpx under it), W threads sharing one Iconik. Success: 200 with `parsed`.
"""

import argparse
import json
import resource
import sys
import threading
import time


def versions():
    from importlib import metadata

    out = {}
    for pkg in ("aiopythonik", "nsa-pythonik", "requests", "urllib3", "httpx", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    out["python"] = sys.version.split()[0]
    return out


class Tally:
    def __init__(self, n):
        self.n = n
        self.next = 0
        self.ok = 0
        self.failed = 0
        self.first_error = None
        self.lock = threading.Lock()

    def claim(self):
        with self.lock:
            self.next += 1
            return self.next <= self.n

    def success(self):
        with self.lock:
            self.ok += 1

    def failure(self, why):
        with self.lock:
            self.failed += 1
            if self.first_error is None:
                self.first_error = str(why)[:300]


def run_aiopythonik(a, tally):
    import asyncio

    from aiopythonik import AsyncPythonikClient

    kwargs = dict(
        app_id=a.app_id,
        auth_token=a.auth_token,
        base_url=a.base_url,
        timeout=60,
        max_workers=a.workers,
        pool_maxsize=max(a.workers, 10),
    )
    if a.mode == "overhead":
        kwargs["disable_rate_limit_handling"] = True

    async def main():
        client = AsyncPythonikClient(**kwargs)
        assets = client.assets()

        async def worker():
            while tally.claim():
                try:
                    r = await assets.get(a.asset)
                    status = r.response.status_code
                    if status == 200 and r.data is not None:
                        tally.success()
                    else:
                        tally.failure(f"HTTP {status}")
                except Exception as e:  # noqa: BLE001 - every failure counts
                    tally.failure(f"{type(e).__name__}: {e}")

        start = time.perf_counter(), time.time(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(a.workers)))
        end = time.perf_counter(), time.time(), time.process_time()
        await client.close()
        return start, end

    return asyncio.run(main())


def run_nsa(a, tally):
    from pythonik.friendly import Iconik

    ik = Iconik(a.app_id, a.auth_token, base_url=a.base_url.rstrip("/") + "/API")

    def worker():
        while tally.claim():
            try:
                r = ik.get_asset(a.asset)
                if int(r.status_code) == 200 and r.parsed is not None:
                    tally.success()
                else:
                    tally.failure(f"HTTP {int(r.status_code)}")
            except Exception as e:  # noqa: BLE001
                tally.failure(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=worker) for _ in range(a.workers)]
    start = time.perf_counter(), time.time(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end = time.perf_counter(), time.time(), time.process_time()
    ik.close()
    return start, end


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--versions", action="store_true")
    p.add_argument("--peer", choices=["aiopythonik", "nsa-pythonik"])
    p.add_argument("--mode", choices=["overhead", "limits", "faults"], default="overhead")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--base-url")
    p.add_argument("--app-id")
    p.add_argument("--auth-token")
    p.add_argument("--asset")
    a = p.parse_args()
    if a.versions:
        print(json.dumps(versions()))
        return
    # keep aiopythonik's loguru warnings (one per 429) off the measurement
    try:
        from loguru import logger

        logger.remove()
    except Exception:  # noqa: BLE001
        pass
    tally = Tally(a.n)
    runner = run_aiopythonik if a.peer == "aiopythonik" else run_nsa
    (p0, u0, c0), (p1, u1, c1) = runner(a, tally)
    print(
        json.dumps(
            {
                "ok": tally.ok,
                "failed": tally.failed,
                "attempts": 0,
                "wall_s": p1 - p0,
                "cpu_s": c1 - c0,
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "start_unix": u0,
                "end_unix": u1,
                "first_error": tally.first_error,
                "versions": versions(),
            }
        )
    )


if __name__ == "__main__":
    main()
