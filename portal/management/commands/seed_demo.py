"""`python manage.py seed_demo [--scale township|county] [--password P] [--seed N]` (docs/design.md §6)."""

from __future__ import annotations

import importlib
import importlib.util
import random
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.demo import DemoContext

# The apps' demo parts, in the order they build on each other.
DEMO_PARTS = ["cadres.demo", "supervision.demo.diaries", "supervision.demo.pledges", "supervision.demo.disclosures",
              "supervision.demo.inspections", "supervision.demo.plans", "supervision.demo.problem_groups",
              "bulletins.demo"]


class Command(BaseCommand):
    help = "创建演示乡镇数据（可重复运行，不会重复创建）/ Create the demo township (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=["township", "county"], default="township")
        parser.add_argument("--password", default=settings.PORTAL["DEMO_PASSWORD"])
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if len(options["password"]) < 10:
            raise CommandError("密码至少10位 / the password needs at least 10 characters")
        ctx = DemoContext(
            rng=random.Random(options["seed"]), seed=options["seed"], scale=options["scale"],
            password=options["password"], today=timezone.localdate(), out=self.stdout.write,
        )
        started = time.monotonic()
        for part in DEMO_PARTS:
            if importlib.util.find_spec(part) is None:
                continue
            t0 = time.monotonic()
            importlib.import_module(part).seed(ctx)
            self.stdout.write(f"  {part}: {time.monotonic() - t0:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪 / demo data ready in {time.monotonic() - started:.1f}s"))
