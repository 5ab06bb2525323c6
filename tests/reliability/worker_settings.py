"""Settings for a Celery worker run by a fault test in its own process: the test settings, with
mail written to files in HELPDESK_MAIL_DIR so the test can count what the worker sent."""

import os

from helpdesk.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["HELPDESK_MAIL_DIR"]
