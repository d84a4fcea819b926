"""`make bench` and `python -m bench.generate` import their modules before Django is set up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_modules_import_before_django_is_set_up() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    modules = "bench.run, bench.cases, bench.generate, bench.http_cases, bench.web, bench.server"
    result = subprocess.run([sys.executable, "-c", f"import {modules}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
