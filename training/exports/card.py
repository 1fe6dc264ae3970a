"""The dataset card (README.md): YAML front matter that `datasets` reads (one config per table,
one data file pattern per split) and a human description. Pure; deterministic text (no dates,
no version ids), so the card hashes the same on a rebuild."""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from training.exports.schema import TABLES
from training.exports.splits import SPLITS
from training.exports.writer import WrittenFile


@dataclass(frozen=True)
class DimensionAgreement:
    """Agreement figures of one dimension over the exported consensus rows."""

    dimension: str
    pairs: int
    votes: int
    mean_agreement: float  # mean share of votes on the plurality side
    unanimous_share: float  # share of multi-vote pairs where everybody agreed
    pairwise_agreement: float  # P(two annotators of one pair give the same side), multi-vote pairs
    mean_confidence: float


class AgreementTally:
    """Accumulates `DimensionAgreement` figures from consensus batches (Arrow compute, no row loop)."""

    _SUMS = ("pairs", "votes", "agreement", "multi", "unanimous", "pairwise", "confidence")

    def __init__(self) -> None:
        self._sums: dict[str, dict[str, float]] = {}

    def add_batch(self, batch: pa.RecordBatch) -> None:
        """`batch` has CONSENSUS columns (dimension, votes, n_a, n_tie, n_b, agreement, confidence)."""
        votes = pc.cast(batch["votes"], pa.int64())
        counts = [pc.cast(batch[c], pa.int64()) for c in ("n_a", "n_tie", "n_b")]
        multi = pc.greater(votes, 1)
        same_side = pc.add(pc.add(*[pc.multiply(n, pc.subtract(n, 1)) for n in counts[:2]]),
                           pc.multiply(counts[2], pc.subtract(counts[2], 1)))
        pairs_of_votes = pc.multiply(votes, pc.subtract(votes, 1))
        table = pa.table({
            "dimension": batch["dimension"], "votes": votes, "agreement": batch["agreement"],
            "confidence": batch["confidence"], "multi": pc.cast(multi, pa.int64()),
            "unanimous": pc.cast(pc.and_(multi, pc.equal(pc.max_element_wise(*counts), votes)), pa.int64()),
            "pairwise": pc.if_else(multi, pc.divide(pc.cast(same_side, pa.float64()), pairs_of_votes), 0.0),
        })
        grouped = table.group_by("dimension").aggregate(
            [("votes", "count")] + [(c, "sum") for c in self._SUMS[1:]])
        for row in grouped.to_pylist():
            sums = self._sums.setdefault(row["dimension"], dict.fromkeys(self._SUMS, 0))
            sums["pairs"] += row["votes_count"]
            for name in self._SUMS[1:]:
                sums[name] += row[f"{name}_sum"]

    def results(self) -> list[DimensionAgreement]:
        out = []
        for dimension in sorted(self._sums):
            s = self._sums[dimension]
            multi = s["multi"]
            out.append(DimensionAgreement(
                dimension=dimension, pairs=int(s["pairs"]), votes=int(s["votes"]),
                mean_agreement=s["agreement"] / s["pairs"], mean_confidence=s["confidence"] / s["pairs"],
                unanimous_share=s["unanimous"] / multi if multi else 1.0,
                pairwise_agreement=s["pairwise"] / multi if multi else 1.0,
            ))
        return out


def _front_matter(row_counts: dict[str, dict[str, int]]) -> str:
    """One config per table, listing the splits that hold rows: `datasets` refuses to build an empty
    split ("corresponds to no data"), so an empty split is left out of its config and a table
    without any row (no spans marked, no stored scores) gets no config; its files still exist."""
    configs = []
    for i, table in enumerate(TABLES):
        splits = [split for split in SPLITS if row_counts.get(table.name, {}).get(split, 0) > 0]
        if not splits and i > 0:  # the default config stays, as before, so the card always has one
            continue
        config = {"config_name": table.name}
        if i == 0:
            config["default"] = True
        config["data_files"] = [
            {"split": split, "path": f"data/{table.name}/{split}-*.parquet"}
            for split in (splits or SPLITS)
        ]
        configs.append(config)
    front = {
        "pretty_name": "AnimeReward Studio pairwise preferences",
        "license": "other",
        "tags": ["video", "preference", "reward-model", "anime", "image-to-video"],
        "configs": configs,
    }
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, default_flow_style=False) + "---\n"


def _f(value: float) -> str:
    return f"{value:.4f}"


def card_render(
    *,
    description: dict,
    description_sha256: str,
    row_counts: dict[str, dict[str, int]],
    files: list[WrittenFile],
    agreement: list[DimensionAgreement],
    video_scores_source: str,
) -> str:
    filters, split = description["filters"], description["split"]
    lines = [
        _front_matter(row_counts),
        f"# AnimeReward Studio dataset `{description_sha256[:12]}`",
        "",
        "Pairwise judgments of AI-generated anime videos on several quality dimensions, exported from",
        "AnimeReward Studio. Strength runs from -2 (video A much better) to +2 (video B much better);",
        "negative always favours A. Video A is the pair's lower video id, whatever side it was shown on.",
        "",
        "## Description",
        "",
        f"- schema version: {description['schema_version']}",
        f"- description sha256: `{description_sha256}`",
        f"- campaigns: {', '.join(str(c) for c in description['campaign_ids'])}",
        f"- dimensions: {', '.join(description['dimension_keys'])}",
        f"- judgments stored before: {filters['judged_before']}",
        f"- at least {filters['min_votes_per_pair']} vote(s) per pair and dimension, agreement >= "
        f"{filters['min_agreement']} (share of votes on the plurality side); a pair-dimension that fails "
        "is left out of every table",
        f"- consensus tie band: {description['consensus']['tie_band']}",
        "",
        "## Splits",
        "",
        f"Grouped by initial image: prompts that share a split key, an initial image or a pair form one "
        f"group ({split['grouping']}). A group is `test` when the first 8 bytes of "
        f"sha256(\"{split['salt']}\\0<smallest split key of the group>\") / 2^64 < {split['test_fraction']}; "
        "no initial image appears in both splits.",
        "",
        "| table | " + " | ".join(SPLITS) + " |",
        "|---|" + "---|" * len(SPLITS),
    ]
    for table in TABLES:
        counts = row_counts.get(table.name, {})
        lines.append(f"| {table.name} | " + " | ".join(str(counts.get(s, 0)) for s in SPLITS) + " |")
    lines += ["", "## Tables", ""]
    for table in TABLES:
        lines += [f"### `{table.name}`", "", table.doc, "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| {name} | {type_} | {doc} |" for name, type_, doc in table.columns]
        lines.append("")
    lines += [f"`video_scores` source: {video_scores_source}", ""]
    if agreement:
        lines += [
            "## Agreement", "",
            "| dimension | pairs | votes | mean agreement | unanimous | pairwise agreement | mean confidence |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {a.dimension} | {a.pairs} | {a.votes} | {_f(a.mean_agreement)} | {_f(a.unanimous_share)} | "
            f"{_f(a.pairwise_agreement)} | {_f(a.mean_confidence)} |"
            for a in agreement
        ]
        lines.append("")
    lines += ["## Files", "", "JSON Lines copies of every table are under `jsonl/` with the same names.", "",
              "| path | rows | sha256 |", "|---|---|---|"]
    lines += [f"| {f.path} | {f.rows} | `{f.sha256}` |" for f in sorted(files, key=lambda f: f.path)]
    lines += [
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        'judgments = load_dataset("path/to/this/folder", "judgments")  # or consensus, video_scores, videos, prompts',
        'spans = load_dataset("path/to/this/folder", "segments")  # marked artefact spans (frame ranges per video)',
        "```",
        "",
        "A split without rows is left out of its table's config, and a table without rows has no config "
        "(`datasets` cannot build an empty split); its Parquet and JSONL files are still in the folder.",
        "",
    ]
    return "\n".join(lines)
