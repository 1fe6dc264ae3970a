from django.contrib import admin

from annotation.models import Assignment, Campaign, Dimension, Flag, GoldAnswer, Judgment, Pair, Prompt, Rating, Video


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


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["id", "prompt", "generator", "seed", "status", "width", "height", "frame_count", "fps", "codec"]
    list_filter = ["status", "generator", "codec"]
    search_fields = ["sha256", "generator"]
    readonly_fields = ["sha256", "size_bytes", "created_at"]


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
