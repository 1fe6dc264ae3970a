"""Dataset versions are read-only in the admin (a ready version is immutable); the actions queue
builds through the same services as the API."""
from django.contrib import admin, messages

from studio_platform.admin_readonly import ReadOnlyAdmin
from studio_platform.errors import StudioError
from training.exports import services
from training.models import DatasetFile, DatasetVersion


class DatasetFileInline(admin.TabularInline):
    model = DatasetFile
    extra = 0
    can_delete = False
    fields = readonly_fields = ["path", "format", "table", "split", "rows", "size_bytes", "sha256"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin):
    """Read-only: create through POST /api/datasets/ or manage.py export_dataset."""

    list_display = ["id", "name", "status", "rows_written", "rows_total", "short_sha256", "created_by", "created_at",
                    "finished_at"]
    list_filter = ["status"]
    search_fields = ["name", "sha256", "description_sha256"]
    inlines = [DatasetFileInline]
    actions = ["build_again", "rebuild_as_new_version"]

    @admin.display(description="sha256")
    def short_sha256(self, obj):
        return obj.sha256[:12]

    @admin.action(description="Build again (queued or failed versions)")
    def build_again(self, request, queryset):
        for version in queryset:
            try:
                services.dataset_version_requeue(version=version)
            except StudioError as exc:
                self.message_user(request, exc.detail, messages.WARNING)

    @admin.action(description="Rebuild as a new version with the same description")
    def rebuild_as_new_version(self, request, queryset):
        for version in queryset:
            new = services.dataset_version_rebuild(version=version, created_by=request.user)
            self.message_user(request, f"Queued dataset version {new.pk} (rebuild of {version.pk}).")


from training import admin_runs  # noqa: E402,F401  (runs, reward models, retrain policies)
