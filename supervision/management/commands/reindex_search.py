"""`python manage.py reindex_search [--only diaries|matters] [--batch 2000]`: (re)build the search
index of every diary and matter, in id order and in batches, each batch its own transaction (safe
to stop and run again; rows written meanwhile are indexed by their services)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "重建日记和问题台账的搜索索引（分批，可重复运行）/ Rebuild the search index of diaries and matters."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--only", choices=["diaries", "matters"], help="只重建其中一种")
        parser.add_argument("--batch", type=int, default=2000, help="每批行数（默认 2000）")
        parser.add_argument("--if-empty", action="store_true",
                            help="只在索引为空时重建（make run：在搜索上线前建的数据库）")

    def handle(self, *args: Any, **options: Any) -> None:
        from core import segment
        from supervision.models import Diary, Matter
        from supervision.search import DIARY_INDEX, MATTER_INDEX, reindex

        if options["batch"] < 1:
            raise CommandError("--batch 须为正整数")
        segment.reset()  # read the current village names into the dictionary
        models = {"diaries": (Diary, DIARY_INDEX), "matters": (Matter, MATTER_INDEX)}
        for name, (model, index) in models.items():
            if options["only"] and options["only"] != name:
                continue
            if options["if_empty"] and not index.is_empty():
                continue
            done = 0
            rows = reindex(model.objects.all(), batch=options["batch"])
            while True:
                with transaction.atomic():
                    step = next(rows, None)
                if step is None:
                    break
                done = step
                if options["verbosity"] > 1:
                    self.stdout.write(f"{name}: {done}")
            self.stdout.write(self.style.SUCCESS(f"{name}: {done} 行已索引 / indexed"))
