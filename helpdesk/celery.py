"""The Celery application. Broker and schedule come from Django settings (CELERY_* names)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.dev")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _prepare_filesystem_broker() -> None:
    """The file-system transport expects its folders to exist before the first message."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda **_: _prepare_filesystem_broker(), weak=False)
