/** Strings of AnimeReward's score curves (issue #22): the plot under the pair page's players and the
 * run page's scored-videos section. Spread into en/zh/ja, so every language has exactly these keys. */
export const curvesEn = {
  "curve.title": "Reward model score over time",
  "curve.titleModel": "Score over time · reward model v{model}",
  "curve.chart": "{video}: score over time per dimension",
  "curve.xTime": "time in the clip (s)",
  "curve.playhead": "Current time",
  "curve.noModel": "No reward model is promoted yet, so there is no score curve.",
  "curve.noHeads": "This reward model has no per-frame heads, so it gives one score per video and no curve.",
  "curve.notScored": "Not scored yet: the promoted model has not scored this video (a scoring run does).",
  "curve.noCurve": "No score curve for this video.",
  "curve.failed": "Score curves could not be loaded: {detail}",
  "curve.loading": "Loading score curves…",
  "curve.dip": "Deepest dip: {dimension} at {time} s ({score}, {depth} below its mean)",
  "curve.runTitle": "Score curves",
  "curve.runHelp": "Scored videos whose curves dip deepest below their own level ({n}): where the model says one moment is worse than the rest of the clip. Check the dip against the clip.",
  "curve.runPending": "Score curves appear once the model's scoring run has finished.",
  "curve.runNone": "The scoring run stored no curves.",
  "curve.fromRun": "From scoring run #{id}.",
};

export type CurvesMessageKey = keyof typeof curvesEn;

export const curvesZh: Record<CurvesMessageKey, string> = {
  "curve.title": "奖励模型随时间的评分",
  "curve.titleModel": "随时间的评分 · 奖励模型 v{model}",
  "curve.chart": "{video}：各维度随时间的评分",
  "curve.xTime": "片段内时间（秒）",
  "curve.playhead": "当前时间",
  "curve.noModel": "尚未提升任何奖励模型，因此没有评分曲线。",
  "curve.noHeads": "该奖励模型没有逐帧评分头，每个视频只给出一个分数，没有曲线。",
  "curve.notScored": "尚未评分：当前提升的模型还没有为该视频评分（评分运行会完成）。",
  "curve.noCurve": "该视频没有评分曲线。",
  "curve.failed": "无法加载评分曲线：{detail}",
  "curve.loading": "正在加载评分曲线…",
  "curve.dip": "最深低谷：{dimension}，{time} 秒处（{score}，低于其均值 {depth}）",
  "curve.runTitle": "评分曲线",
  "curve.runHelp": "曲线低于自身水平最深的 {n} 个已评分视频：模型认为其中某一时刻比片段其余部分更差。请对照片段检查该低谷。",
  "curve.runPending": "模型的评分运行完成后会显示评分曲线。",
  "curve.runNone": "该评分运行没有保存曲线。",
  "curve.fromRun": "来自评分运行 #{id}。",
};

export const curvesJa: Record<CurvesMessageKey, string> = {
  "curve.title": "報酬モデルの時間ごとのスコア",
  "curve.titleModel": "時間ごとのスコア · 報酬モデル v{model}",
  "curve.chart": "{video}：次元ごとの時間に沿ったスコア",
  "curve.xTime": "クリップ内の時間（秒）",
  "curve.playhead": "現在の時間",
  "curve.noModel": "まだ昇格した報酬モデルがないため、スコア曲線はありません。",
  "curve.noHeads": "この報酬モデルにはフレーム単位のヘッドがなく、動画ごとに 1 つのスコアのみで曲線はありません。",
  "curve.notScored": "未スコア：昇格中のモデルはこの動画をまだスコアリングしていません（スコアリング実行で行われます）。",
  "curve.noCurve": "この動画のスコア曲線はありません。",
  "curve.failed": "スコア曲線を読み込めませんでした：{detail}",
  "curve.loading": "スコア曲線を読み込み中…",
  "curve.dip": "最も深い谷：{dimension}、{time} 秒（{score}、平均より {depth} 低い）",
  "curve.runTitle": "スコア曲線",
  "curve.runHelp": "曲線が自身の水準から最も深く下がるスコア済み動画 {n} 本：モデルがある瞬間をクリップの他の部分より悪いと見ている箇所です。谷をクリップと照らし合わせてください。",
  "curve.runPending": "モデルのスコアリング実行が終わるとスコア曲線が表示されます。",
  "curve.runNone": "このスコアリング実行は曲線を保存しませんでした。",
  "curve.fromRun": "スコアリング実行 #{id} より。",
};
