"""`bench --load`: a real gunicorn server on loopback, driven by client threads.

The server runs the development settings with DEBUG off (a generated SECRET_KEY, ALLOWED_HOSTS
127.0.0.1, the API throttle lifted so the load measures the server and not the throttle) on the
database this process uses. The clients sign in through the sign-in page for their session
cookies, use API tokens for the API, and file cases through the API. Only the standard library
talks HTTP, with proxies switched off: nothing leaves 127.0.0.1. The run stops after `seconds` or
`max_requests` requests, whichever comes first; the cases it filed are removed afterwards.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection

from accounts.models import ApiToken, User
from accounts.policies import requires_second_factor
from accounts.tokens import api_token_create
from cases.models import Case

from . import second_factor
from .dataset import Dataset
from .measure import QUEUE_FILTER, filing_payload, percentile, remove_filed_cases

HOST = "127.0.0.1"
START_TIMEOUT = 60
REQUEST_TIMEOUT = 30


class LoadError(RuntimeError):
    """The server could not be started or signed in to."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to record (a lost session shows as 302), not one to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener(*handlers) -> urllib.request.OpenerDirector:
    # An empty ProxyHandler: never send loopback traffic through an http_proxy from the env.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect, *handlers)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses (the test database under pytest)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
            raise LoadError("An in-memory SQLite database cannot be shared with a server.")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor != "postgresql":
        raise LoadError(f"No database URL for {connection.vendor}.")
    quote = urllib.parse.quote
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


class Server:
    """gunicorn serving the project on 127.0.0.1 and a free port."""

    def __init__(self, *, workers: int):
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the server
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.dev",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url(),
            "API_THROTTLE_RATE": "1000000/min",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "helpdesk.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={workers}",
            "--timeout=60",
            "--log-level=warning",
            f"--error-logfile={self.log.name}",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=self.log
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LoadError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with _opener().open(f"{self.url}/sign-in/", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise LoadError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: the fields follow the last ")".
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker (VmRSS), in MiB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                sizes.append(round(int(match.group(1)) / 1024, 1))
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def _post_form(opener, url: str, fields: dict, who: str) -> None:
    with opener.open(url, timeout=REQUEST_TIMEOUT) as response:
        page = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise LoadError(f"{url} has no CSRF token.")
    form = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": match.group(1)}).encode()
    request = urllib.request.Request(url, data=form, headers={"Referer": url})  # noqa: S310 - base is http://127.0.0.1:<port>
    try:
        opener.open(request, timeout=REQUEST_TIMEOUT).close()
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise LoadError(f"Signing in as {who} answered {answer.code} at {url}.") from None


def sign_in(base: str, user: User, password: str) -> str:
    """Sign in through the sign-in page, and the second step for staff; the Cookie header of the
    new session."""
    jar = http.cookiejar.CookieJar()
    opener = _opener(urllib.request.HTTPCookieProcessor(jar))
    _post_form(
        opener, f"{base}/sign-in/", {"username": user.email, "password": password}, user.email
    )
    if requires_second_factor(user):
        code = second_factor.current_code(user)
        _post_form(opener, f"{base}/sign-in/two-step/", {"code": code}, user.email)
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise LoadError(f"Signing in as {user.email} gave no session.")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass(frozen=True)
class Action:
    name: str
    weight: int
    path: str
    headers: dict
    expect: int = 200
    body: Callable[[int], bytes] | None = None


def _actions(data: Dataset, cookies: dict[str, str], tokens: dict[str, str]) -> list[Action]:
    def page(name, weight, path, persona):
        return Action(name, weight, path, {"Cookie": cookies[persona]})

    def api(name, weight, path, persona, **extra):
        return Action(name, weight, path, {"Authorization": tokens[persona]}, **extra)

    domain = data.tenant.primary_domain
    filters = urllib.parse.urlencode(QUEUE_FILTER)
    return [
        page("queue", 20, "/console/", "engineer"),
        page("queue_filtered", 5, f"/console/?{filters}", "engineer"),
        page("workspace", 10, f"/console/cases/{data.workspace_case}/", "engineer"),
        page("request_list", 15, f"/t/{domain}/requests/", "admin"),
        page("case_page", 10, f"/requests/{data.tenant_case}/", "admin"),
        page("dashboard", 2, "/console/dashboard/", "manager"),
        api("api_cases", 10, "/api/v1/cases/", "engineer"),
        api("api_queue", 18, "/api/v1/queue/", "engineer"),
        api(
            "file_case",
            10,
            "/api/v1/cases/",
            "admin",
            expect=201,
            body=lambda serial: json.dumps(filing_payload(data, serial)).encode(),
        ),
    ]


def _send(opener, base: str, action: Action, serial: int) -> int:
    headers = dict(action.headers)
    data = None
    if action.body is not None:
        data = action.body(serial)
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(  # noqa: S310 - base is http://127.0.0.1:<port>
        base + action.path, data=data, headers=headers
    )
    try:
        with opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as answer:
        answer.read()
        return answer.code
    except (urllib.error.URLError, OSError):
        return 0


def drive(
    base: str, actions: list[Action], *, seconds: float, concurrency: int, max_requests: int
) -> dict:
    """Send requests from `concurrency` threads until `seconds` pass or `max_requests` are sent."""
    lock = threading.Lock()
    issued = [0]
    records: list[tuple[str, int, bool, float]] = []
    weights = [action.weight for action in actions]
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - a workload mix, not a secret
        opener = _opener()
        mine = []
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    break
                issued[0] += 1
                serial = issued[0]
            action = rng.choices(actions, weights=weights)[0]
            started = perf_counter()
            status = _send(opener, base, action, serial)
            mine.append((action.name, status, status == action.expect, perf_counter() - started))
        with lock:
            records.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return summarise(records, elapsed)


def summarise(records: list[tuple[str, int, bool, float]], elapsed: float) -> dict:
    def figures(rows) -> dict:
        latencies = [row[3] * 1000 for row in rows]
        return {
            "requests": len(rows),
            "errors": sum(1 for row in rows if not row[2]),
            "p50_ms": round(percentile(latencies, 0.5), 2) if rows else None,
            "p99_ms": round(percentile(latencies, 0.99), 2) if rows else None,
        }

    kinds = sorted({row[0] for row in records})
    return {
        "seconds": round(elapsed, 2),
        **figures(records),
        "throughput_rps": round(len(records) / elapsed, 1) if elapsed else 0.0,
        "error_statuses": dict(Counter(row[1] for row in records if not row[2])),
        "by_kind": {kind: figures([row for row in records if row[0] == kind]) for kind in kinds},
    }


def run(
    data: Dataset,
    *,
    seconds: float,
    concurrency: int,
    max_requests: int,
    workers: int,
    log: Callable[[str], None] = lambda _line: None,
) -> dict:
    """Start the server, sign the personas in, drive the load, report, and clean up: the
    personas' passwords become unusable again, the tokens and the filed cases are removed."""
    personas = {"engineer": data.engineer, "manager": data.manager, "admin": data.admin}
    password = secrets.token_urlsafe(18)
    # Hashed here with the hasher every settings module accepts (the server's may differ).
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk__in=[user.pk for user in personas.values()]).update(
        password=hasher.encode(password, hasher.salt())
    )
    created = []
    tokens = {}
    for persona in ("engineer", "admin"):
        token, plain = api_token_create(actor=personas[persona], name="bench load")
        created.append(token.pk)
        tokens[persona] = f"Bearer {plain}"
    last_case = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    server = None
    try:
        log(f"Starting gunicorn ({workers} workers) on {HOST}...")
        server = Server(workers=workers)
        cookies = {
            persona: sign_in(server.url, user, password) for persona, user in personas.items()
        }
        log(f"Driving {server.url} for {seconds:g} s from {concurrency} threads...")
        result = drive(
            server.url,
            _actions(data, cookies, tokens),
            seconds=seconds,
            concurrency=concurrency,
            max_requests=max_requests,
        )
        rss = server.worker_rss_mb()
        result.update(
            {
                "concurrency": concurrency,
                "workers": workers,
                "worker_rss_mb": rss,
                "max_worker_rss_mb": max(rss) if rss else None,
            }
        )
        return result
    finally:
        if server is not None:
            server.stop()
        User.objects.filter(pk__in=[user.pk for user in personas.values()]).update(
            password=make_password(None)
        )
        ApiToken.objects.filter(pk__in=created).delete()
        filed = remove_filed_cases(after=last_case)
        log(f"Removed {filed} cases filed during the run.")


def describe(result: dict) -> str:
    lines = [
        f"\n{result['requests']:,} requests in {result['seconds']} s: "
        f"{result['throughput_rps']} requests/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, {result['errors']} errors "
        f"{result['error_statuses'] or ''}".rstrip(),
        f"gunicorn: {result['workers']} workers, resident memory after the run "
        f"{result['worker_rss_mb']} MiB",
        f"{'kind':<16}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p99 ms':>10}",
    ]
    for kind, figures in result["by_kind"].items():
        lines.append(
            f"{kind:<16}{figures['requests']:>10}{figures['errors']:>8}"
            f"{figures['p50_ms']:>10}{figures['p99_ms']:>10}"
        )
    return "\n".join(lines)
