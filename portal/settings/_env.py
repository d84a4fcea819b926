"""Where the project lives and how the environment is read: shared by base and its parts."""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A .env file is optional and only ever read on a developer's machine.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
