"""The diaries counted by month: what the completeness report reads for whole months."""

from __future__ import annotations

from django.db import models


def _days(mask: int) -> list[int]:
    return [day for day in range(1, 32) if mask >> (day - 1) & 1]


class DiaryMonth(models.Model):
    """One cadre's diaries of one month in one township, as day bitmasks (bit d-1 is day d): the
    days written and, of them, the days written on time; with the lowest and highest id among
    them (never narrowed after a withdrawal: a bound, not the exact range).

    Kept by PostgreSQL triggers on the diary table (migration 0027) in the writing transaction,
    whatever writes the diary (services, admin, bulk loads); `manage.py rebuild_diary_months`
    builds it afresh. A cadre writes one diary a day (`one_diary_per_cadre_per_day`), so a day's
    bit belongs to exactly one diary and the triggers set and clear it without recounting and
    without two cadres' writes ever touching the same row. Elsewhere (SQLite in development) it
    stays empty and the report counts the diaries themselves.

    At a million diaries over 27 months: ~56,000 rows against a million index entries, which is
    why a report over many months reads this for its whole months
    (supervision.services.completeness._months_pass)."""

    pk = models.CompositePrimaryKey("month", "township_id", "author_id")
    month = models.DateField()  # the month's first day
    township_id = models.BigIntegerField()
    author_id = models.BigIntegerField()
    written = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.author_id} {self.month:%Y-%m}"

    def days(self) -> list[int]:
        """The days of the month written (1 to 31)."""
        return _days(self.written)


class DiaryVillageMonth(models.Model):
    """`DiaryMonth` by village too: the days of the month on which a cadre wrote about a village,
    kept by the same triggers. The village report's diary counts read it (~200,000 rows at a
    million diaries: cadres write about three or four villages a month, so the cadres' figures
    come from the smaller `DiaryMonth`). The author stays in the key so that, again, no two
    cadres' writes touch one row."""

    pk = models.CompositePrimaryKey("month", "township_id", "village_id", "author_id")
    month = models.DateField()
    township_id = models.BigIntegerField()
    village_id = models.BigIntegerField()
    author_id = models.BigIntegerField()
    written = models.IntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.village_id} {self.author_id} {self.month:%Y-%m}"

    def days(self) -> list[int]:
        return _days(self.written)
