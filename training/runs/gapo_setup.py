"""The deployment's default GAPO setup: what a run-create body without a config starts (the /runs/
page's "Run GAPO" and "Run dense GAPO" buttons).

`default_gapo_setup` returns GAPO_DEFAULT_CONFIG + GAPO_DEFAULT_OPTIONS (the body's options on top);
with `dense` the config gets `frame_weighting: "segments"` and the options `pair_source: "human"`.
`dense_beta` is the deployment's (GAPO_DEFAULT_CONFIG may set it), else GapoConfig's default: one
source of truth, no second number here. A dense run reads the annotators' artefact spans of the
judged pairs (docs/segments.md), so `check_dense_pairs` refuses one up front when the run's campaigns
have no judged pair or no span: the human pair source would otherwise fail only after the demo
generator's pretraining (studio.write_human_pairs: "no human pair survived the filters"), and a
dense run without any span weighs every frame alike, i.e. is plain GAPO under another name.
"""
from __future__ import annotations

from django.conf import settings

from studio_platform.errors import ValidationFailed

MSG_DENSE_KIND = "dense applies to GAPO runs only (kind 'gapo'); a {kind} run has no frame weighting."
MSG_DENSE_WITH_CONFIG = ("dense: true starts the deployment's default GAPO setup with segment weighting, so it takes "
                         "no config; with your own config set its frame_weighting to 'segments' (and dense_beta) and "
                         "the option pair_source to 'human' instead.")
MSG_DENSE_NOT_BOOL = "dense must be true or false (got {value!r})."
MSG_DENSE_NO_PAIRS = ("Dense GAPO trains on human pairs, but campaigns {campaigns} have no judged pair yet (a "
                      "submitted, non-gold assignment): label some first, or run plain GAPO.")
MSG_DENSE_NO_SPANS = ("Dense GAPO weights the frames annotators marked, but no annotator marked an artefact span on a "
                      "judged pair of campaigns {campaigns}: every frame would weigh the same (plain GAPO). Mark spans "
                      "on the label page first, or run plain GAPO.")


def default_gapo_setup(*, options: dict | None, dense: bool) -> tuple[dict, dict]:
    """(config, options) of a GAPO run created without a config: the deployment's defaults, the given
    options on top; dense: segment weighting on human pairs (an explicit pair_source is kept and checked
    later by options.check_gapo_pairs, which names the fix)."""
    config = dict(settings.GAPO_DEFAULT_CONFIG)
    if dense:
        config["frame_weighting"] = "segments"
    dense_options = {"pair_source": "human"} if dense else {}
    return config, {**settings.GAPO_DEFAULT_OPTIONS, **dense_options, **(options or {})}


def check_dense_request(*, kind: str, config: dict | None, dense) -> bool:
    """The body's `dense` flag, checked before anything else: True only for a GAPO run without a config."""
    if dense is None or dense is False:
        return False
    if dense is not True:
        raise ValidationFailed(MSG_DENSE_NOT_BOOL.format(value=dense))
    if kind != "gapo":
        raise ValidationFailed(MSG_DENSE_KIND.format(kind=kind))
    if config:
        raise ValidationFailed(MSG_DENSE_WITH_CONFIG)
    return True


def run_campaign_ids(*, campaign_ids, dataset_version, reward_model) -> list[int]:
    """The campaigns a GAPO run reads (executors/gapo.py's rule): the options', else the run's dataset
    version's, else the reward model's dataset version's."""
    if campaign_ids:
        return list(campaign_ids)
    dataset = dataset_version or reward_model.dataset_version
    return list(dataset.campaign_ids)


def check_dense_pairs(campaign_ids: list[int]) -> None:
    """Refuse a dense run whose campaigns have no judged pair, or no span on one (two cheap queries)."""
    from training.runs.human_pairs import judged_pair_counts

    judged, marked = judged_pair_counts(campaign_ids=campaign_ids)
    shown = ", ".join(str(i) for i in campaign_ids) or "(none)"
    if judged == 0:
        raise ValidationFailed(MSG_DENSE_NO_PAIRS.format(campaigns=shown))
    if marked == 0:
        raise ValidationFailed(MSG_DENSE_NO_SPANS.format(campaigns=shown))
