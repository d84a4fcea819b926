"""The baseline every HTTP case is compared with: the cheapest authenticated JSON answer.

It runs the same middleware, authentication (token or session), permission and throttle as the
API, and then does nothing: what a case costs beyond it is the case's own work.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BareView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True, "user": request.user.pk})

    def post(self, request: Request) -> Response:
        """The baseline of a write: the body is parsed, nothing is stored."""
        return Response({"ok": True, "user": request.user.pk, "fields": len(request.data)})
