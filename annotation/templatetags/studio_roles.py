"""`{% load studio_roles %}{% if user|has_role:"admin" %}`: the studio's role check in templates."""
from django import template

from studio_platform.roles import user_has_role

register = template.Library()


@register.filter
def has_role(user, role: str) -> bool:
    return user_has_role(user, role)
