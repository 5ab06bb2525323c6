"""Run the web server, a Celery worker and Celery beat together for local development.

`make run` calls this after migrating and loading demo data. Ctrl-C (or SIGTERM) stops all three.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")

PROCESSES = {
    "web": [sys.executable, "manage.py", "runserver", ADDRESS],
    "worker": [
        str(BIN / "celery"),
        "-A",
        "helpdesk",
        "worker",
        "--loglevel=WARNING",
        "--concurrency=2",
    ],
    "beat": [str(BIN / "celery"), "-A", "helpdesk", "beat", "--loglevel=WARNING"],
}


def main() -> int:
    children = {name: subprocess.Popen(command) for name, command in PROCESSES.items()}  # noqa: S603
    print(f"Web on http://{ADDRESS}/, Celery worker and beat running. Ctrl-C stops all of them.")

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        # Any one of them ending ends the session, so a broken worker is not silently missing.
        # Ctrl-C reaches the children too; one that stops cleanly first is a normal shutdown.
        pid, status = os.wait()
        if status != 0:
            name = next((n for n, p in children.items() if p.pid == pid), "?")
            print(f"{name} failed ({status}); stopping the others.", file=sys.stderr)
            exit_code = 1
    except KeyboardInterrupt:
        pass
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
