"""The promotion rule (pure): a new reward model replaces the promoted one only if its held-out
accuracy on the same test split does not drop by more than epsilon."""
from __future__ import annotations

import math


def promotion_decision(candidate: float | None, promoted: float | None, epsilon: float) -> tuple[bool, str]:
    """(promote?, the reason in words). `candidate`/`promoted`: mean held-out pairwise accuracy
    (no ties) over dimensions on the candidate's test split; `promoted` None = nothing promoted yet."""
    if candidate is None or not math.isfinite(candidate):
        return False, "not promoted: the held-out split has no decided pairs to measure it on"
    if promoted is None:
        return True, f"promoted: first reward model (held-out accuracy {candidate:.3f})"
    if not math.isfinite(promoted):
        return True, f"promoted: the promoted model could not be measured on this split (candidate {candidate:.3f})"
    drop = promoted - candidate
    if drop > epsilon:
        return False, (f"not promoted: held-out accuracy {candidate:.3f} is {drop:.3f} below the promoted model's "
                       f"{promoted:.3f} on the same test split (allowed drop {epsilon:.3f})")
    return True, (f"promoted: held-out accuracy {candidate:.3f} vs {promoted:.3f} for the promoted model on the same "
                  f"test split (allowed drop {epsilon:.3f})")
