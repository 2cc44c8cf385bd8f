"""Drives the official Python SDK (genauth==5.1.0) against the local server of
examples/loadbench.rs and prints the same table rows as the Rust benchmark.

Usage: python bench_python.py --url http://127.0.0.1:PORT [--duration 3] [--concurrency 1,64]
"""
import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from genauth.ManagementClient import ManagementClient


def worker(client, until, out):
    lat = []
    while time.perf_counter() < until:
        t = time.perf_counter()
        resp = client.get_user("6229ffaxxxxxxxxcade3e3d9")
        lat.append(time.perf_counter() - t)
        if resp.get("statusCode") != 200:
            raise RuntimeError("unexpected response: %r" % resp)
    out.extend(lat)


def run(client, concurrency, seconds):
    out = []
    lock = threading.Lock()
    until = time.perf_counter() + seconds

    def job():
        mine = []
        worker(client, until, mine)
        with lock:
            out.extend(mine)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for f in [pool.submit(job) for _ in range(concurrency)]:
            f.result()
    return out


def pick(lat, q):
    i = max(1, min(len(lat), int(-(-len(lat) * q // 1)))) - 1
    return lat[i]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--duration", type=float, default=3.0)
    p.add_argument("--concurrency", default="1,64")
    a = p.parse_args()
    # The constructor's `timeout` is stored but never applied by the SDK, and
    # TLS checks do not matter here: the server is plain HTTP on 127.0.0.1.
    client = ManagementClient("bench-key", "bench-secret", host=a.url)
    for c in [int(x) for x in a.concurrency.split(",")]:
        run(client, c, 0.3)  # warm-up: fetches the token
        start = time.perf_counter()
        lat = run(client, c, a.duration)
        wall = time.perf_counter() - start
        lat.sort()
        print("| python genauth 5.1.0 | %d | %d | %.0f | %.3f | %.3f |" % (
            c, len(lat), len(lat) / wall, pick(lat, 0.5) * 1e3, pick(lat, 0.99) * 1e3))


if __name__ == "__main__":
    main()
