"""PostgreSQL restarted under a running application server: the persistent connection it held is
dead, and the next requests still succeed because connection health checks replace it."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .conftest import ROOT, free_port, wait_until

MAKE_TOKEN = """
from accounts.models import User
from accounts.tokens import api_token_create

user = User.objects.create_user("restart@example.com", "not-used", display_name="Restart")
print(api_token_create(actor=user, name="restart")[1])
"""


def _get(port: int, path: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _listening(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def test_requests_after_a_postgresql_restart_succeed(private_postgres, tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
        "DATABASE_URL": private_postgres.url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "memory://",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage = [sys.executable, "manage.py"]
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([*manage, "migrate", "--noinput"], timeout=600, **run)  # noqa: S603
    token = subprocess.run([*manage, "shell", "-c", MAKE_TOKEN], timeout=120, **run)  # noqa: S603
    token = token.stdout.strip().splitlines()[-1]

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [
            *(sys.executable, "-m", "gunicorn", "helpdesk.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1"),
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: server.poll() is not None or _listening(port),
            timeout=60,
            what="gunicorn to listen",
        )
        assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
        # One worker, one thread: every request goes through the same persistent connection.
        for _ in range(2):
            status, body = _get(port, "/api/v1/cases/", token)
            assert status == 200, body
            assert json.loads(body)["results"] == []

        private_postgres.pg_ctl("restart", "-m", "fast")

        for _ in range(3):
            status, body = _get(port, "/api/v1/cases/", token)
            assert status == 200, body
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
