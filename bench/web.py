"""The log-ins the HTTP cases rotate over, and one running server with their credentials.

Each case rotates over many users of its role — the party secretaries of all twenty townships,
two township cadres of each township, the county's readers — so that no case measures one user's
warm caches or one township's size; its bare baseline rotates over the same users.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.config import CLIENTS, HOST
from bench.load import Request, drive
from bench.server import Server

Make = Callable[[int], Request]


@dataclass(frozen=True)
class Pools:
    leaders: list[str]  # the party secretary of each township; township 1's is bench_secretary
    cadres: list[str]  # two township cadres (not the office) of each township, bench_cadre first
    county: list[str]  # the county's readers

    @property
    def everyone(self) -> list[str]:
        return [*self.leaders, *self.cadres, *self.county]

    def of(self, role: str) -> list[str]:
        return {"leader": self.leaders, "cadre": self.cadres, "county": self.county}[role]


def pools() -> Pools:
    from django.contrib.auth.models import User

    from cadres.models import Cadre

    leaders = list(Cadre.objects.filter(post="party_secretary", is_active=True, user__isnull=False)
                   .order_by("township_id", "id").values_list("user__username", flat=True))
    per_township: dict[int, list[str]] = {}
    staff = (Cadre.objects.filter(post="staff", level="township", is_active=True, user__isnull=False)
             .exclude(user__groups__name="office").exclude(user__username="bench_cadre")
             .order_by("township_id", "id").values_list("township_id", "user__username"))
    for township_id, username in staff:
        per_township.setdefault(township_id, [])
        if len(per_township[township_id]) < 2:
            per_township[township_id].append(username)
    cadres = ["bench_cadre", *(u for names in per_township.values() for u in names)][: 2 * max(1, len(per_township))]
    county = list(User.objects.filter(username__startswith="bench_county").order_by("username")
                  .values_list("username", flat=True))
    return Pools(leaders, cadres, county)


def issue_tokens(usernames: Sequence[str]) -> dict[str, str]:
    """An API token per user, written directly (the token log-in is throttled and slow by design)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from portal.models import AccessToken, hash_secret

    AccessToken.objects.filter(prefix__startswith="bench").delete()
    wanted = list(dict.fromkeys(usernames))
    users = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    missing = set(wanted) - set(users)
    if missing:
        raise SystemExit(f"bench log-ins missing from the database: {sorted(missing)[:5]}")
    raws = {name: "bench" + secrets.token_urlsafe(24) for name in wanted}
    expires = timezone.now() + settings.API_TOKEN_LIFETIME
    AccessToken.objects.bulk_create(
        AccessToken(user_id=users[name], digest=hash_secret(raw), prefix=raw[:8], expires_at=expires)
        for name, raw in raws.items()
    )
    return raws


def sessions(usernames: Sequence[str]) -> dict[str, str]:
    """A signed-in session per user (the Cookie header), made as the log-in page makes one."""
    from django.contrib.auth.models import User
    from django.test import Client as DjangoClient

    cookies = {}
    for user in User.objects.filter(username__in=list(usernames)):
        client = DjangoClient()
        client.force_login(user)
        cookies[user.username] = f"sessionid={client.cookies['sessionid'].value}"
    return cookies


class Site:
    """One running server over one data set, with a token and a session for every pooled user."""

    def __init__(self, label: str, url: str | None, extra_tokens: Sequence[str] = ()) -> None:
        from bench.cases import database

        self.label = label
        self.url = url
        with database(url):
            self.pools = pools()
            tokens = issue_tokens([*self.pools.everyone, "bench_office", *extra_tokens])
            cookies = sessions([*self.pools.leaders, *self.pools.cadres, *self.pools.county])
        self.tokens = {n: {"Authorization": f"Token {t}", "Accept": "application/json"} for n, t in tokens.items()}
        self.cookies = {n: {"Cookie": c} for n, c in cookies.items()}
        self.server = Server(label, {**os.environ, "DATABASE_URL": url} if url else None)
        self.port = self.server.port
        # Every worker has served a page, an API list and the bare view before anything is timed.
        for make in (self.get("/bench/bare/", "leader"), self.page("/", "leader"), self.get("/api/v1/diaries/", "leader")):
            drive(HOST, self.port, make, total=9, clients=CLIENTS, max_seconds=120, ok=(200, 404))
        # And every pooled user has made a request: a log-in's first one stamps its token and works
        # out who it is (the actor cache), once; left to the cases, the first case of each role
        # measured it for all its users (a tenth of a cadre list's requests, its whole p95). The
        # first request of a log-in is measured on its own ("POST … on the log-in's first request").
        everyone = self.pools.everyone
        warmed = drive(HOST, self.port, lambda i: Request("GET", "/api/v1/villages/?page_size=1",
                                                          self.tokens[everyone[i]], port=self.port),
                       total=len(everyone), clients=CLIENTS, max_seconds=120, ok=(200, 403, 404))
        if warmed.errors:
            raise SystemExit(f"the pooled users' first requests failed: {warmed.first_error}")

    def headers(self, user: str, kind: str = "token") -> dict[str, str]:
        return self.tokens[user] if kind == "token" else self.cookies[user]

    def get(self, path: str, role: str, *, kind: str = "token") -> Make:
        """GET `path`, the i-th request as the i-th user of the role (round robin)."""
        users = self.pools.of(role)
        return lambda i: Request("GET", path, self.headers(users[i % len(users)], kind), port=self.port)

    def page(self, path: str, role: str) -> Make:
        return self.get(path, role, kind="session")

    def each(self, paths: Sequence[tuple[str, str]], kind: str = "token") -> Make:
        """(path, user) pairs in turn: each user's own path (e.g. their deepest page)."""
        return lambda i: Request("GET", paths[i % len(paths)][0], self.headers(paths[i % len(paths)][1], kind),
                                 port=self.port)

    def first(self, role: str) -> str:
        return self.pools.of(role)[0]

    def probe(self, path: str, role: str, kind: str = "token", ok: tuple[int, ...] = (200,)) -> tuple[bool, str]:
        """(available, why not) of a GET as the role's first user."""
        status, body = self.server.send(Request("GET", path, self.headers(self.first(role), kind)))
        if status in ok:
            return True, ""
        if status == 404:
            return False, "not available"
        if status == 403:
            return False, "refused to this role (DESIGN.md §4)"
        return False, f"GET {path} answered {status}: {body[:200]!r}"

    def stop(self) -> None:
        self.server.stop()


def same_users(sites: dict[str, Site]) -> Any:
    """The pools must be the same users on both data sets (the same people, more diaries)."""
    pools_seen = {label: site.pools for label, site in sites.items()}
    first = next(iter(pools_seen.values()))
    return all(p == first for p in pools_seen.values())
