"""JSON that PostgreSQL's jsonb accepts: NaN and infinities become null.

An evaluation on an empty split has no accuracy; Python writes that as NaN, which jsonb refuses
("Token "NaN" is invalid"), and a run that trained for minutes then failed at the last write. Every
metrics dict a run stores goes through `finite_json` first; the pages read null as "not enough
held-out pairs"."""
from __future__ import annotations

import math
from typing import Any


def finite_json(value: Any) -> Any:
    """A copy of `value` (dicts, lists, tuples, scalars) with non-finite floats replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(item) for item in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", None) == 0:  # numpy/torch scalars
        return finite_json(value.item())
    return value
