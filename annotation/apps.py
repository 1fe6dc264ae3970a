from django.apps import AppConfig


class AnnotationConfig(AppConfig):
    name = "annotation"
    verbose_name = "Annotation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from annotation import media_tasks, signals

        signals.connect_signals()
        signals.videos_to_process.connect(media_tasks.enqueue_videos, dispatch_uid="media_process_video")
