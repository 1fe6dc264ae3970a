from django.contrib import admin, messages
from django.utils.html import format_html

from annotation.models import Assignment, Campaign, Dimension, Flag, GoldAnswer, Judgment, Pair, Prompt, Rating, Video
from annotation.services.media_queue import videos_reprocess


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "group", "order", "definition"]
    list_editable = ["order"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "protocol", "status", "overlap", "lease_ttl_seconds", "gold_rate", "created_at"]
    list_filter = ["status", "protocol"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["dimensions"]


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["id", "text", "action_label", "split_key", "created_at"]
    search_fields = ["text", "external_key"]
    list_filter = ["action_label"]


def _link(field_file, label: str) -> str:
    if not field_file:
        return "-"
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', field_file.url, label)


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["id", "prompt", "generator", "seed", "status", "failure_code", "width", "height", "frame_count",
                    "fps", "codec", "rendition_link", "poster_link"]
    list_filter = ["status", "failure_code", "generator", "codec", "container"]
    search_fields = ["sha256", "generator", "source_name"]
    readonly_fields = ["sha256", "size_bytes", "created_at", "status", "failure_code", "failure_reason", "processed_at",
                       "container", "rotation", "source_name", "original_link", "rendition_link", "poster_link",
                       "strip_link", "rendition", "poster", "thumbnail_strip"]
    actions = ["reprocess"]

    @admin.display(description="original")
    def original_link(self, video):
        return _link(video.file, "original")

    @admin.display(description="rendition")
    def rendition_link(self, video):
        return _link(video.rendition, "rendition")

    @admin.display(description="poster")
    def poster_link(self, video):
        return _link(video.poster, "poster")

    @admin.display(description="thumbnail strip")
    def strip_link(self, video):
        return _link(video.thumbnail_strip, "strip")

    @admin.action(description="Re-process the selected videos (rebuild rendition, poster, strip)")
    def reprocess(self, request, queryset):
        count = videos_reprocess(video_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} video(s) queued for processing.", messages.SUCCESS)


class GoldAnswerInline(admin.TabularInline):
    model = GoldAnswer
    extra = 0


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "video_a", "video_b", "is_gold", "priority", "taken", "completed", "overlap"]
    list_filter = ["campaign", "is_gold"]
    readonly_fields = ["taken", "completed", "random_key"]
    inlines = [GoldAnswerInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "pair", "annotator", "state", "a_on_left", "leased_at", "expires_at", "finished_at"]
    list_filter = ["state", "campaign"]
    raw_id_fields = ["pair", "annotator"]
    readonly_fields = ["client_key", "leased_at", "heartbeat_at", "finished_at", "time_spent_ms"]


@admin.register(Judgment)
class JudgmentAdmin(admin.ModelAdmin):
    list_display = ["id", "pair", "annotator", "dimension", "strength", "created_at"]
    list_filter = ["dimension"]
    raw_id_fields = ["assignment", "pair", "annotator"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "annotator", "dimension", "score", "created_at"]
    raw_id_fields = ["assignment", "video", "annotator"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["id", "reason", "video", "created_by", "created_at", "resolved"]
    list_filter = ["reason", "resolved"]
    list_editable = ["resolved"]


# --- Audited admin pages (studio_platform/audit.py; the log itself: studio_platform/admin.py) ---

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import UserAdmin  # noqa: E402

from studio_platform.admin_readonly import ReadOnlyAdmin  # noqa: E402
from studio_platform.audit import acting_as  # noqa: E402


class AuditedAdminMixin:
    """Changes saved through these pages are attributed to the signed-in admin (and their IP)
    when signals record them: group changes on users, campaign status changes."""

    def changeform_view(self, request, *args, **kwargs):
        with acting_as(request):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with acting_as(request):
            return super().changelist_view(request, *args, **kwargs)


admin.site.unregister(Campaign)


@admin.register(Campaign)
class AuditedCampaignAdmin(AuditedAdminMixin, CampaignAdmin):
    pass


_User = get_user_model()
if admin.site.is_registered(_User):
    admin.site.unregister(_User)


@admin.register(_User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    pass


from annotation.models.quality import AgreementSnapshot  # noqa: E402


@admin.register(AgreementSnapshot)
class AgreementSnapshotAdmin(ReadOnlyAdmin):
    """Hourly agreement history (written by annotation.tasks.snapshot_agreement); read-only."""

    list_display = ["computed_at", "campaign", "dimension", "alpha", "kappa", "n_judgments", "n_disputed", "queue_size"]
    list_filter = ["campaign", "dimension"]
    date_hierarchy = "computed_at"


from annotation.models import JudgmentRevision, PairComment  # noqa: E402


@admin.register(JudgmentRevision)
class JudgmentRevisionAdmin(ReadOnlyAdmin):
    """Answer edits (append-only: the first row of a judgment holds its original strength)."""

    list_display = ["created_at", "edited_by", "pair", "judgment", "from_strength", "to_strength"]
    list_select_related = ["edited_by"]
    raw_id_fields = ["judgment", "assignment", "pair"]


@admin.register(PairComment)
class PairCommentAdmin(ReadOnlyAdmin):
    """Comments on pairs, written on the pair page and in annotators' history; read-only here."""

    list_display = ["created_at", "author", "pair", "text"]
    list_select_related = ["author"]
    search_fields = ["text", "author__username"]
