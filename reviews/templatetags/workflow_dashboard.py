from django import template

from reviews.dashboard import dashboard_for

register = template.Library()


@register.simple_tag
def workflow_dashboard(user):
    """The admin index's workflow lists for `user` (bounded queries, see reviews.dashboard)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dashboard_for(user)
