"""The check every write of per-dimension strengths shares (answer edits, adjudications): at least one answer,
integers from -2 to 2 (bools refused: JSON true is not a strength), each dimension once. Never imports training."""
from __future__ import annotations

from studio_platform.errors import ValidationFailed

MSG_ANSWERS_EMPTY = "Send at least one answer: [{\"dimension\": key, \"strength\": -2..2}]."
MSG_ANSWERS_STRENGTH = "strength must be an integer from -2 (A much better) to 2 (B much better) (bad: {bad})."


def strengths_check(answers: list[tuple[str, int]], *, msg_repeated: str) -> None:
    """ValidationFailed naming what is wrong; ``msg_repeated`` (with ``{repeated}``) says it in the caller's words."""
    if not answers:
        raise ValidationFailed(MSG_ANSWERS_EMPTY)
    bad = [str(key) for key, strength in answers
           if isinstance(strength, bool) or not isinstance(strength, int) or not -2 <= strength <= 2]
    if bad:
        raise ValidationFailed(MSG_ANSWERS_STRENGTH.format(bad=", ".join(bad)))
    keys = [key for key, _ in answers]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValidationFailed(msg_repeated.format(repeated=", ".join(repeated)))
