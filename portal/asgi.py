import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_asgi_application()

# Web requests stop a statement after STATEMENT_TIMEOUT_WEB seconds (503 with a message, portal.db).
from django.conf import settings  # noqa: E402

from portal.db import apply_statement_timeout  # noqa: E402

apply_statement_timeout(settings.STATEMENT_TIMEOUT_WEB)
