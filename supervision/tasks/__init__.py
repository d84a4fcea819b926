"""Celery discovers `supervision.tasks`; the tasks live in topic modules."""

from .daily import *  # noqa: F403
from .duties import *  # noqa: F403
