"""The audit log in the admin: read-only, and only for staff members with the admin role."""
from django.contrib import admin

from studio_platform.admin_readonly import ReadOnlyAdmin
from studio_platform.models import AuditLog
from studio_platform.roles import ADMIN, user_has_role


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read-only, and only for staff members with the admin role (or superusers)."""

    list_display = ["created_at", "actor_username", "action", "target_type", "target_repr", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_username", "target_repr", "target_id"]
    date_hierarchy = "created_at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and user_has_role(request.user, ADMIN)

    def has_module_permission(self, request):
        return self.has_view_permission(request)
