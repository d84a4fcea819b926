"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class DocumentJSONField(models.JSONField):
    """A JSON document of some size (a bulletin's figures): bulk inserts send it row by row.

    On PostgreSQL, Django 5.2's bulk_create passes each column as one array (INSERT … SELECT
    FROM UNNEST), and psycopg, binding on the client, escapes the quotes of a jsonb[] literal in
    Python, one regular-expression callback per quote: twenty bulletins took 28 ms to insert
    that way against 12 ms as a multi-row VALUES list (bench, 1m data set). Django keeps to
    VALUES for a field that names its own placeholder; this one names the usual "%s"."""

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
