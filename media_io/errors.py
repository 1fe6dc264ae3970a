"""The one exception this package raises for bad input, with stable reason codes.

Reason codes are API: the upload pipeline stores them and the UI maps them to help text, so a code
never changes meaning. Messages are for people and may be reworded.
"""

NOT_FOUND = "not_found"
EMPTY_FILE = "empty_file"
NOT_MEDIA = "not_media"  # FFmpeg does not recognise the bytes (random data, text, a document)
IMAGE_NOT_VIDEO = "image_not_video"  # a still image, whatever its file name says
NO_VIDEO_STREAM = "no_video_stream"  # a media file without pictures (audio only)
NO_FRAMES = "no_frames"  # a video container with no decodable frame in it
TRUNCATED = "truncated"  # the file ends before its own headers say it should (cut-off upload)
CORRUPT = "corrupt"  # a recognisable container whose data fails to demux or decode
TOO_LONG = "too_long"
TOO_LARGE = "too_large"
TOO_MANY_FRAMES = "too_many_frames"

REASON_CODES = frozenset(
    {
        NOT_FOUND,
        EMPTY_FILE,
        NOT_MEDIA,
        IMAGE_NOT_VIDEO,
        NO_VIDEO_STREAM,
        NO_FRAMES,
        TRUNCATED,
        CORRUPT,
        TOO_LONG,
        TOO_LARGE,
        TOO_MANY_FRAMES,
    }
)


class InvalidVideo(ValueError):
    """The file cannot be used as a video; `reason_code` says why in one stable word."""

    def __init__(self, reason_code: str, message: str):
        if reason_code not in REASON_CODES:
            raise ValueError(f"unknown reason code {reason_code!r}; use one of {sorted(REASON_CODES)}")
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.reason_code}]"

    def __reduce__(self):
        # Celery pickles exceptions across processes; keep both fields.
        return (type(self), (self.reason_code, self.message))
