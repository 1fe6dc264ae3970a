"""Sign-in links in the admin, read-only (issued and redeemed by people.services; only hashes here)."""
from django.contrib import admin

from people.models import SignInLink
from studio_platform.admin_readonly import ReadOnlyAdmin


@admin.register(SignInLink)
class SignInLinkAdmin(ReadOnlyAdmin):
    list_display = ("user", "purpose", "created_by", "created_at", "expires_at", "used_at")
    list_filter = ("purpose",)
    search_fields = ("user__username",)
