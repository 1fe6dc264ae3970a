/** Strings of dense GAPO on the run pages (issue #22): the /runs/ button that starts the default setup
 * with segment weighting, and the run page's frame-weighting fact. Spread into en/zh/ja, so every
 * language has exactly these keys (the type says so). */
export const runsDenseEn = {
  "runs.runDenseGapo": "Run dense GAPO",
  "runs.runDenseGapoHelp": "Like Run GAPO, on the pairs annotators judged: each frame weighs more where annotators marked an artefact span (needs judged pairs with spans).",
  "runs.runDenseGapoConfirm": "Start a dense GAPO run (human pairs, frames weighted by the annotators' spans) with the promoted reward model?",
  "runs.dense": "dense",
  "run.frameWeighting": "Frame weighting",
  "run.weightingSegments": "dense: frames the annotators marked (segments), dense β {beta}",
  "run.weightingNone": "none (every frame alike)",
};

export type RunsDenseMessageKey = keyof typeof runsDenseEn;

export const runsDenseZh: Record<RunsDenseMessageKey, string> = {
  "runs.runDenseGapo": "运行稠密 GAPO",
  "runs.runDenseGapoHelp": "与“运行 GAPO”相同，但使用标注员评判过的样本对：标注员标出瑕疵片段的帧权重更高（需要带片段的已评判样本对）。",
  "runs.runDenseGapoConfirm": "使用已推广的奖励模型启动稠密 GAPO 任务（人工样本对，按标注员的片段为各帧加权）？",
  "runs.dense": "稠密",
  "run.frameWeighting": "帧加权",
  "run.weightingSegments": "稠密：标注员标出的帧（片段），稠密 β {beta}",
  "run.weightingNone": "无（各帧相同）",
};

export const runsDenseJa: Record<RunsDenseMessageKey, string> = {
  "runs.runDenseGapo": "高密度 GAPO を実行",
  "runs.runDenseGapoHelp": "GAPO の実行と同じですが、アノテーターが判定したペアを使います：アノテーターが不具合区間を付けたフレームほど重く扱います（区間付きの判定済みペアが必要）。",
  "runs.runDenseGapoConfirm": "昇格済みの報酬モデルで高密度 GAPO ジョブ（人手のペア、アノテーターの区間でフレームを重み付け）を開始しますか？",
  "runs.dense": "高密度",
  "run.frameWeighting": "フレームの重み付け",
  "run.weightingSegments": "高密度：アノテーターが付けたフレーム（区間）、高密度 β {beta}",
  "run.weightingNone": "なし（全フレーム同じ）",
};
