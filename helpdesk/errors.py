"""The one error vocabulary of the domain.

Services raise these; the HTML views turn them into form errors or messages and the API into
`{"code": ..., "message": ...}` with the status that `http_status` names.
"""


class DomainError(Exception):
    """A rule of the domain refused the operation. `code` is stable; `message` is for people."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields = fields or {}

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    code = "invalid"
    http_status = 400


class NotAllowed(DomainError):
    """The actor may see the object but lacks the right for this action."""

    code = "forbidden"
    http_status = 403


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does."""

    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The object is not in a state that allows the action (approved twice, window closed, ...)."""

    code = "conflict"
    http_status = 409
