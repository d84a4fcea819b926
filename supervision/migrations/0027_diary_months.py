# The diaries by month (supervision.models.DiaryMonth, and DiaryVillageMonth by village too): one
# cadre's diaries of a month in one township as day bitmasks, which the completeness report reads
# for the whole months of a period instead of every diary's index entry (~56,000 rows against a
# million at 27 months).
#
# PostgreSQL: row triggers on the diary table keep it in the writing transaction, whatever writes
# (services, admin, bulk loads): a diary that leaves a month (withdrawn, deleted, moved to another
# day, village, township or author) clears its day's bit there, one that enters sets it. A cadre
# has one diary a day (one_diary_per_cadre_per_day), so a bit is one diary's and nothing is
# recounted. Updates that change none of the counted columns do not fire. Then the rows are counted
# from the diaries already written. Elsewhere the table stays empty (the report counts diaries).

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION supervision_diary_month_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bit integer;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN
        bit := 1 << (extract(day FROM OLD.date)::int - 1);
        UPDATE supervision_diarymonth SET written = written & ~bit, on_time = on_time & ~bit
        WHERE month = OLD.date - (extract(day FROM OLD.date)::int - 1) AND township_id = OLD.township_id
          AND author_id = OLD.author_id;
        UPDATE supervision_diaryvillagemonth SET written = written & ~bit
        WHERE month = OLD.date - (extract(day FROM OLD.date)::int - 1) AND township_id = OLD.township_id
          AND village_id = OLD.village_id AND author_id = OLD.author_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        bit := 1 << (extract(day FROM NEW.date)::int - 1);
        INSERT INTO supervision_diarymonth AS m (month, township_id, author_id, written, on_time, first_id, last_id)
        VALUES (NEW.date - (extract(day FROM NEW.date)::int - 1), NEW.township_id, NEW.author_id,
                bit, CASE WHEN NEW.on_time THEN bit ELSE 0 END, NEW.id, NEW.id)
        ON CONFLICT (month, township_id, author_id) DO UPDATE
        SET written = m.written | EXCLUDED.written,
            on_time = (m.on_time & ~EXCLUDED.written) | EXCLUDED.on_time,
            first_id = LEAST(m.first_id, EXCLUDED.first_id),
            last_id = GREATEST(m.last_id, EXCLUDED.last_id);
        INSERT INTO supervision_diaryvillagemonth AS v (month, township_id, village_id, author_id, written)
        VALUES (NEW.date - (extract(day FROM NEW.date)::int - 1), NEW.township_id, NEW.village_id,
                NEW.author_id, bit)
        ON CONFLICT (month, township_id, village_id, author_id) DO UPDATE SET written = v.written | EXCLUDED.written;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION supervision_diary_month_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM supervision_diarymonth;
    DELETE FROM supervision_diaryvillagemonth;
    RETURN NULL;
END
$$;

CREATE TRIGGER supervision_diary_month_write AFTER INSERT OR DELETE ON supervision_diary
    FOR EACH ROW EXECUTE FUNCTION supervision_diary_month_keep();
CREATE TRIGGER supervision_diary_month_change
    AFTER UPDATE OF date, township_id, author_id, village_id, on_time, deleted_at ON supervision_diary
    FOR EACH ROW WHEN (
        OLD.date IS DISTINCT FROM NEW.date OR OLD.township_id IS DISTINCT FROM NEW.township_id
        OR OLD.author_id IS DISTINCT FROM NEW.author_id OR OLD.village_id IS DISTINCT FROM NEW.village_id
        OR OLD.on_time IS DISTINCT FROM NEW.on_time OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
    ) EXECUTE FUNCTION supervision_diary_month_keep();
CREATE TRIGGER supervision_diary_month_truncate AFTER TRUNCATE ON supervision_diary
    FOR EACH STATEMENT EXECUTE FUNCTION supervision_diary_month_clear();
"""

DROP = """
DROP TRIGGER IF EXISTS supervision_diary_month_write ON supervision_diary;
DROP TRIGGER IF EXISTS supervision_diary_month_change ON supervision_diary;
DROP TRIGGER IF EXISTS supervision_diary_month_truncate ON supervision_diary;
DROP FUNCTION IF EXISTS supervision_diary_month_keep();
DROP FUNCTION IF EXISTS supervision_diary_month_clear();
"""


def keep(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    from supervision.services.diary_months import rebuild

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
    rebuild(schema_editor.connection.alias)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0026_diaryterms_vacuum"),
    ]

    operations = [
        migrations.CreateModel(
            name="DiaryMonth",
            fields=[
                ("pk", models.CompositePrimaryKey("month", "township_id", "author_id", blank=True,
                                                  editable=False, primary_key=True, serialize=False)),
                ("month", models.DateField()),
                ("township_id", models.BigIntegerField()),
                ("author_id", models.BigIntegerField()),
                ("written", models.IntegerField(default=0)),
                ("on_time", models.IntegerField(default=0)),
                ("first_id", models.BigIntegerField()),
                ("last_id", models.BigIntegerField()),
            ],
            options={"default_permissions": ()},
        ),
        migrations.CreateModel(
            name="DiaryVillageMonth",
            fields=[
                ("pk", models.CompositePrimaryKey("month", "township_id", "village_id", "author_id", blank=True,
                                                  editable=False, primary_key=True, serialize=False)),
                ("month", models.DateField()),
                ("township_id", models.BigIntegerField()),
                ("village_id", models.BigIntegerField()),
                ("author_id", models.BigIntegerField()),
                ("written", models.IntegerField(default=0)),
            ],
            options={"default_permissions": ()},
        ),
        # The triggers survive a test's flush, and so does an empty table (tests/conftest.py
        # re-runs data migrations only).
        migrations.RunPython(keep, drop, hints={"schema_only": True}),
    ]
