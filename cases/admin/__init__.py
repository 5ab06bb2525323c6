from . import case, targets, taxonomy  # noqa: F401 - registers the admin classes
