"""The promotion rule (pure): a new reward model is promoted only if its held-out accuracy is not
below the *bar* by more than epsilon, where the bar is the best accuracy that any model promoted so
far reaches on the same test split (the candidate's).

Why the best so far and not the currently promoted model: comparing with the incumbent alone lets
each promotion give up epsilon, so a sequence of promotions can slide downhill (.908 -> .885 was
measured that way). Against the best-ever bar the slack never accumulates: whatever was promoted, a
new model must stay within epsilon of the best one on the data it is judged on.

Noise: with n decided held-out pairs the standard error of an accuracy p is sqrt(p(1-p)/n); the
note states it, so a reader sees whether a difference is within noise. The rule itself compares
with epsilon (a policy setting), not with the standard error, so it stays deterministic."""
from __future__ import annotations

import math


def standard_error(accuracy: float, pairs: int | None) -> float | None:
    if not pairs or accuracy is None or not math.isfinite(accuracy):
        return None
    return math.sqrt(max(accuracy * (1 - accuracy), 0.0) / pairs)


def _bar_name(bar_model: int | None) -> str:
    return f"model {bar_model}" if bar_model is not None else "the best promoted model"


def promotion_decision(candidate: float | None, bar: float | None, epsilon: float, *, bar_model: int | None = None,
                       pairs: int | None = None) -> tuple[bool, str]:
    """(promote?, the reason in words). `candidate`: mean held-out pairwise accuracy (no ties) over
    dimensions on the candidate's test split; `bar`: the best accuracy of the models promoted so far on
    that same split (None = nothing promoted yet); `pairs`: decided held-out pairs (for the noise note)."""
    if candidate is None or not math.isfinite(candidate):
        return False, "not promoted: not enough held-out pairs to measure it (the test split has no decided pairs)"
    se = standard_error(candidate, pairs)
    noise = f"; ±{se:.3f} standard error over {pairs} held-out pairs" if se is not None else ""
    if bar is None:
        return True, f"promoted: first reward model (held-out accuracy {candidate:.3f}{noise})"
    if not math.isfinite(bar):
        return True, (f"promoted: the promoted models could not be measured on this split "
                      f"(candidate {candidate:.3f}{noise})")
    drop = bar - candidate
    if drop > epsilon:
        return False, (f"not promoted: held-out accuracy {candidate:.3f} is {drop:.3f} below the bar {bar:.3f} "
                       f"({_bar_name(bar_model)}, the best promoted so far, on the same test split; allowed drop "
                       f"{epsilon:.3f}{noise})")
    return True, (f"promoted: held-out accuracy {candidate:.3f} vs the bar {bar:.3f} ({_bar_name(bar_model)}, the best "
                  f"promoted so far, on the same test split; allowed drop {epsilon:.3f}{noise})")
