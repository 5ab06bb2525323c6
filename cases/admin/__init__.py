from . import case, contacts, targets, taxonomy  # noqa: F401 - registers the admin classes
