from . import case, taxonomy  # noqa: F401 - registers the admin classes
