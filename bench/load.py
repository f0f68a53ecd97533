"""HTTP load: concurrent clients against ``POST /api/ask`` of a running ``app.py``."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(env: dict[str, str], timeout_s: float = 180.0) -> tuple[subprocess.Popen[bytes], int]:
    """``python app.py`` on a free loopback port, once ``/api/health`` answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("app.py did not answer /api/health in time")


def http_load(port: int, questions: Sequence[str], clients: int = 16, per_client: int = 20) -> dict[str, Any]:
    """Each client asks ``per_client`` questions over one keep-alive connection; answers must echo their question."""

    def ask(conn: http.client.HTTPConnection, question: str, tag: str) -> bool:
        conn.request("POST", "/api/ask", json.dumps({"question": question, "id": tag}),
                     {"Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        body = json.loads(response.read())
        return response.status == 200 and body.get("question") == question and body.get("id") == tag

    def client(i: int) -> tuple[list[float], int]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies, errors = [], 0
        for j in range(per_client):
            started = time.perf_counter()
            ok = ask(conn, questions[(i * 7 + j) % len(questions)], f"{i}-{j}")
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok
        return latencies, errors

    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for q in questions[:5]:
        ask(warm, q, "warm")
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    return {
        "http_answers_per_s": round(len(latencies) / elapsed, 1),
        "http_p50_ms": round(latencies[len(latencies) // 2], 1),
        "http_p95_ms": round(latencies[int(len(latencies) * 0.95)], 1),
        "http_errors": sum(e for _, e in results),
    }
