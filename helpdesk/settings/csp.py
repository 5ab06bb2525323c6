"""Content-Security-Policy: no inline scripts or styles anywhere, and nothing from other origins.

Pages load only our own static files (htmx is vendored, the API docs come from the sidecar), so
'self' is enough; htmx runs with eval disabled and its indicator styles in app.css (see base.html).
"""

from csp.constants import NONE, SELF

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
