"""The benchmark's knobs (environment variables) and its voice; shared by its modules."""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
EXPLAIN = BENCH / "explain"
HOST = "127.0.0.1"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


SCALE = os.environ.get("BENCH_SCALE", "1m").lower()
REQUESTS = env_int("BENCH_REQUESTS", 400)
REPEATS = env_int("BENCH_REPEATS", 5)
CLIENTS = env_int("BENCH_CLIENTS", 4)
MANY_CLIENTS = env_int("BENCH_MANY_CLIENTS", 32)
SEED = env_int("BENCH_SEED", 1)
ONLY = {p.strip() for p in os.environ.get("BENCH_ONLY", "http,db,xlsx").split(",") if p.strip()}
# gunicorn's workers come from production's configuration (portal/gunicorn.py); set only to experiment.
WORKERS = os.environ.get("BENCH_WORKERS", "")


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)
