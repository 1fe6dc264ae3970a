"""Bradley-Terry with ties, fitted by L-BFGS on a penalised negative log-likelihood.

Tie models (``d = s_a - s_b``, latent scores ``s``; ``pi = exp(s)``):

* **Davidson (1970)** (default)::

      P(a) = pi_a / Z,   P(b) = pi_b / Z,   P(tie) = nu sqrt(pi_a pi_b) / Z,   Z = pi_a + pi_b + nu sqrt(pi_a pi_b)

  i.e. ``P = softmax(d/2, -d/2, log nu)``. Chosen as default because the tie probability
  is largest for equal items and ``nu = 0`` is exactly plain Bradley-Terry.
* **Rao-Kupper (1967)**, ``kappa >= 1``::

      P(a) = pi_a / (pi_a + kappa pi_b),   P(tie) = (kappa^2 - 1) pi_a pi_b / ((pi_a + kappa pi_b)(pi_b + kappa pi_a))

Fitting minimises ``-sum_c w_c log P(outcome_c) + l2 (sum_i s_i^2 + eta^2)`` where ``eta`` is
the unconstrained tie parameter (``nu = e^eta``, ``kappa = 1 + e^eta``). The L2 prior fixes
the translation freedom of ``s``, keeps perfectly separated or disconnected comparison
graphs finite (each component is pulled to 0, items never compared stay at 0), and keeps
``nu`` finite when every comparison is a tie. Without ties in the data the tie parameter is
fixed at "no ties" (``nu = 0``, ``kappa = 1``): the objective is then the one
``choix.opt_pairwise(alpha=l2)`` minimises, which the tests use as a reference.

Scaling to [0, 1] (``BTResult.scaled``): min-max over the fitted items, ``(s - min) / (max -
min)``, 0.5 for all when there is one item or no spread. Min-max is monotone and uses the
whole [0, 1] range, which is what GAPO's gap weight ``2**s_w - 2**s_l`` expects of scores
"scaled to [0, 1]"; the cost is that scaled values only compare within one fit.
``scale_scores(..., method="logistic")`` (``sigmoid(s - mean s)``) is the alternative when
values must stay comparable across fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable, Literal, Mapping, Sequence

import numpy as np
from scipy import optimize
from scipy.special import expit, log_softmax

from .records import Vote, latest_by_key, strength_direction

TieModel = Literal["davidson", "rao_kupper"]
OUTCOMES = ("a", "b", "tie")
_CODE = {o: i for i, o in enumerate(OUTCOMES)}


@dataclass(frozen=True)
class Comparison:
    """One judged comparison; ``weight`` lets strength (|2| vs |1|) or resampling count."""

    item_a: Hashable
    item_b: Hashable
    outcome: str
    weight: float = 1.0


@dataclass(frozen=True)
class BTResult:
    scores: dict
    scaled: dict
    tie_param: float
    iterations: int
    converged: bool
    ties: str


@dataclass(frozen=True)
class BootstrapCI:
    low: dict
    high: dict
    samples: np.ndarray  # (n_boot, n_items), columns in ``items`` order
    items: tuple


def _as_comparison(c) -> Comparison:
    return c if isinstance(c, Comparison) else Comparison(*c)


def _encode(comparisons, items: Sequence[Hashable]):
    """Arrays (ia, ib, code, weight) with validation; zero-weight comparisons dropped."""
    index = {item: i for i, item in enumerate(items)}
    if len(index) != len(items):
        raise ValueError("items must be unique")
    rows = []
    for c in map(_as_comparison, comparisons):
        if c.item_a not in index or c.item_b not in index:
            raise ValueError(f"comparison {c} names an item missing from items; pass every compared item")
        if c.item_a == c.item_b:
            raise ValueError(f"comparison {c} compares an item with itself; drop it before fitting")
        if c.outcome not in _CODE:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {c.outcome!r}")
        if not np.isfinite(c.weight) or c.weight < 0:
            raise ValueError(f"weight must be finite and >= 0, got {c.weight!r}")
        if c.weight > 0:
            rows.append((index[c.item_a], index[c.item_b], _CODE[c.outcome], float(c.weight)))
    if not rows:
        return (np.zeros(0, int),) * 3 + (np.zeros(0),)
    ia, ib, code, w = (np.array(col) for col in zip(*rows))
    return ia.astype(int), ib.astype(int), code.astype(int), w


def _log_probs(d: np.ndarray, eta: float, ties: str):
    """Per-comparison log P(a), log P(b), log P(tie) and their derivatives in d and eta.

    Returns ``(logp, dlogp_dd, dlogp_deta)``, each ``(n, 3)`` in OUTCOMES order. ``eta=-inf``
    means "no ties" and reduces both models to plain Bradley-Terry.
    """
    if ties == "davidson":
        logits = np.stack([d / 2, -d / 2, np.full_like(d, eta)], axis=1)
        logp = log_softmax(logits, axis=1)
        p = np.exp(logp)
        dlogz_dd = (p[:, 0] - p[:, 1]) / 2
        dd = np.array([0.5, -0.5, 0.0])[None, :] - dlogz_dd[:, None]
        deta = np.array([0.0, 0.0, 1.0])[None, :] - p[:, 2:3]
        return logp, dd, deta
    if ties == "rao_kupper":
        c = np.logaddexp(0.0, eta)  # log kappa, kappa = 1 + e^eta
        sp_minus, sp_plus = np.logaddexp(0.0, c - d), np.logaddexp(0.0, c + d)
        s_minus, s_plus = expit(c - d), expit(c + d)
        if np.isneginf(eta):
            log_k2m1, dlog_k2m1 = -np.inf, 0.0
        else:  # log(kappa^2 - 1) = eta + log(2 + e^eta)
            log_k2m1 = eta + np.logaddexp(np.log(2.0), eta)
            dlog_k2m1 = 1.0 + np.exp(eta - np.logaddexp(np.log(2.0), eta))
        logp = np.stack([-sp_minus, -sp_plus, log_k2m1 - sp_minus - sp_plus], axis=1)
        dd = np.stack([s_minus, -s_plus, s_minus - s_plus], axis=1)
        dc_deta = expit(eta)
        deta = np.stack([-s_minus, -s_plus, np.full_like(d, 0.0) - s_minus - s_plus], axis=1) * dc_deta
        deta[:, 2] += dlog_k2m1
        return logp, dd, deta
    raise ValueError(f"ties must be 'davidson' or 'rao_kupper', got {ties!r}")


def _objective(x, ia, ib, code, w, n_items, ties, l2, fit_tie):
    scores = x[:n_items]
    eta = x[n_items] if fit_tie else -np.inf
    d = scores[ia] - scores[ib]
    logp, dd, deta = _log_probs(d, eta, ties)
    rows = np.arange(len(code))
    value = -np.sum(w * logp[rows, code]) + l2 * np.sum(scores**2)
    g_d = -w * dd[rows, code]
    grad = 2 * l2 * scores + np.bincount(ia, g_d, n_items) - np.bincount(ib, g_d, n_items)
    if not fit_tie:
        return value, grad
    value += l2 * eta**2
    g_eta = -np.sum(w * deta[rows, code]) + 2 * l2 * eta
    return value, np.append(grad, g_eta)


def _fit_arrays(ia, ib, code, w, n_items, ties, l2, max_iter, tol, x0=None):
    fit_tie = bool(np.any(w[code == _CODE["tie"]] > 0))
    if x0 is None or len(x0) != n_items + fit_tie:
        x0 = np.zeros(n_items + fit_tie)
        if fit_tie:  # nu (Davidson) and kappa - 1 (Rao-Kupper) both equal 2s/(1-s) at d = 0
            share = np.clip(w[code == 2].sum() / w.sum(), 0.01, 0.99)
            x0[-1] = np.log(2 * share / (1 - share))
    res = optimize.minimize(
        _objective, x0, args=(ia, ib, code, w, n_items, ties, l2, fit_tie), jac=True,
        method="L-BFGS-B", options={"maxiter": max_iter, "gtol": tol},
    )
    eta = res.x[n_items] if fit_tie else -np.inf
    tie_param = float(np.exp(eta)) if ties == "davidson" else float(1.0 + np.exp(eta))
    return res.x, tie_param, int(res.nit), bool(res.success)


def _check(ties: str, l2: float) -> None:
    if ties not in ("davidson", "rao_kupper"):
        raise ValueError(f"ties must be 'davidson' or 'rao_kupper', got {ties!r}")
    if not l2 > 0:
        raise ValueError(f"l2 must be > 0 (it identifies the scores; use e.g. 1e-4 for a weak prior), got {l2!r}")


def fit_bradley_terry(
    comparisons: Iterable, items: Sequence[Hashable], *, ties: TieModel = "davidson",
    l2: float = 0.01, max_iter: int = 500, tol: float = 1e-6,
) -> BTResult:
    """MAP Bradley-Terry-with-ties scores for ``items`` (formulas in the module doc).

    ``comparisons``: :class:`Comparison` objects or ``(item_a, item_b, outcome[, weight])``
    tuples with ``outcome`` in ``{"a", "b", "tie"}``.
    """
    _check(ties, l2)
    items = list(items)
    ia, ib, code, w = _encode(comparisons, items)
    if len(w) == 0:
        scores = dict.fromkeys(items, 0.0)
        no_tie = 0.0 if ties == "davidson" else 1.0
        return BTResult(scores, scale_scores(scores), no_tie, 0, True, ties)
    x, tie_param, nit, ok = _fit_arrays(ia, ib, code, w, len(items), ties, l2, max_iter, tol)
    scores = {item: float(s) for item, s in zip(items, x[: len(items)])}
    return BTResult(scores, scale_scores(scores), tie_param, nit, ok, ties)


def scale_scores(scores: Mapping, method: Literal["minmax", "logistic"] = "minmax") -> dict:
    """Monotone map of latent scores to [0, 1] (see module doc for the choice)."""
    values = np.array(list(scores.values()), dtype=float)
    if method == "logistic":
        return {k: float(v) for k, v in zip(scores, expit(values - values.mean()))} if len(values) else {}
    if method != "minmax":
        raise ValueError(f"method must be 'minmax' or 'logistic', got {method!r}")
    if len(values) < 2 or np.ptp(values) < 1e-12:
        return dict.fromkeys(scores, 0.5)
    return {k: float(v) for k, v in zip(scores, (values - values.min()) / np.ptp(values))}


def outcome_probabilities(d, tie_param: float, ties: TieModel = "davidson") -> np.ndarray:
    """``(n, 3)`` array of P(a), P(b), P(tie) for score differences ``d = s_a - s_b``."""
    d = np.atleast_1d(np.asarray(d, dtype=float))
    no_tie = tie_param <= (0.0 if ties == "davidson" else 1.0)
    eta = -np.inf if no_tie else (np.log(tie_param) if ties == "davidson" else np.log(tie_param - 1.0))
    return np.exp(_log_probs(d, eta, ties)[0])


def neg_log_posterior(
    comparisons: Iterable, scores: Mapping, tie_param: float, *, ties: TieModel = "davidson", l2: float = 0.01
) -> float:
    """The objective :func:`fit_bradley_terry` minimises, at given scores and tie parameter."""
    _check(ties, l2)
    items = list(scores)
    ia, ib, code, w = _encode(comparisons, items)
    x = np.array([scores[i] for i in items], dtype=float)
    fit_tie = bool(np.any(w[code == 2] > 0))
    if fit_tie:
        x = np.append(x, np.log(tie_param) if ties == "davidson" else np.log(tie_param - 1.0))
    return float(_objective(x, ia, ib, code, w, len(items), ties, l2, fit_tie)[0])


def bootstrap_ci(
    comparisons: Iterable, items: Sequence[Hashable], *, n_boot: int = 200, level: float = 0.95,
    seed: int = 0, ties: TieModel = "davidson", l2: float = 0.01, max_iter: int = 500,
) -> BootstrapCI:
    """Percentile bootstrap intervals of latent scores, resampling comparisons with replacement.

    Each replicate draws ``N`` comparisons i.i.d. from the ``N`` given (multinomial counts
    become weights, so identical comparisons are fitted once) and refits, warm-started at
    the full-data fit. Interval: the ``(1-level)/2`` and ``(1+level)/2`` quantiles.
    """
    _check(ties, l2)
    if n_boot < 1 or not 0 < level < 1:
        raise ValueError("n_boot must be >= 1 and level in (0, 1)")
    items = list(items)
    ia, ib, code, w = _encode(comparisons, items)
    n = len(items)
    if len(w) == 0:
        zeros = dict.fromkeys(items, 0.0)
        return BootstrapCI(zeros, dict(zeros), np.zeros((n_boot, n)), tuple(items))
    keys, inverse = np.unique(np.stack([ia, ib, code]), axis=1, return_inverse=True)
    inverse = inverse.ravel()
    full = np.bincount(inverse, w, keys.shape[1])
    x_full = _fit_arrays(*keys, full, n, ties, l2, max_iter, 1e-6)[0]
    rng = np.random.default_rng(seed)
    samples = np.empty((n_boot, n))
    for b in range(n_boot):
        counts = rng.multinomial(len(w), np.full(len(w), 1.0 / len(w)))
        wb = np.bincount(inverse, w * counts, keys.shape[1])
        keep = wb > 0
        samples[b] = _fit_arrays(*(k[keep] for k in keys), wb[keep], n, ties, l2, max_iter, 1e-6, x_full)[0][:n]
    lo, hi = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return BootstrapCI(dict(zip(items, map(float, lo))), dict(zip(items, map(float, hi))), samples, tuple(items))


def votes_to_comparisons(
    votes: Iterable[Vote], pair_videos: Mapping[int, tuple], dimension: str, *, strength_weight: bool = True
) -> list[Comparison]:
    """One :class:`Comparison` per (pair, annotator) vote on ``dimension``, ordered by pair then annotator.

    Negative strength -> ``"a"`` (video A won). With ``strength_weight`` a "much better"
    (|2|) counts twice a "better" (|1|); a "same" counts once.
    """
    latest = latest_by_key((v for v in votes if v.dimension == dimension), lambda v: (v.pair_id, v.annotator_id))
    out = []
    for (pair_id, _), vote in sorted(latest.items(), key=lambda kv: kv[0]):
        if pair_id not in pair_videos:
            raise ValueError(f"pair {pair_id} has votes but no (video_a, video_b) entry in pair_videos")
        video_a, video_b = pair_videos[pair_id]
        weight = float(abs(vote.strength)) if strength_weight and vote.strength else 1.0
        out.append(Comparison(video_a, video_b, strength_direction(vote.strength), weight))
    return out
