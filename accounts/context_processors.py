from django.utils.functional import SimpleLazyObject

from .selectors import workspace_for


def workspace(request):
    """The top bar's "who and where", computed only when a template asks for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"workspace": SimpleLazyObject(lambda: workspace_for(user))}
