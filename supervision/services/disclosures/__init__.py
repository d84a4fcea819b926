"""Disclosures (公开): posting, requirements, the quarterly check and its review."""

from supervision.services.disclosures._core import *  # noqa: F403
