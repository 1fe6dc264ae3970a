/**
 * Dimension names and one-line definitions in the non-English languages, keyed by dimension key.
 * English (and any dimension added later in the admin) falls back to the server's text.
 */
export interface DimensionText {
  name: string;
  definition: string;
}

export const DIMENSION_KEYS = ["smoothness", "motion", "appeal", "text_video", "image_video", "character"] as const;
export type DimensionKey = (typeof DIMENSION_KEYS)[number];

export const dimensionsZh: Record<DimensionKey, DimensionText> = {
  smoothness: { name: "画面流畅度", definition: "没有闪烁、抖动、扭曲、肢体融化或逐帧变形。" },
  motion: { name: "画面运动", definition: "主体确实在动，运动幅度自然、易于看清。" },
  appeal: { name: "画面美感", definition: "清晰度、分辨率、亮度、色彩和线稿：单帧画面有多好看。" },
  text_video: { name: "文本-视频一致性", definition: "视频呈现了提示词所描述的内容：动作、主体和场景。" },
  image_video: { name: "图像-视频一致性", definition: "视频忠实于初始图像：风格、布局和色彩。" },
  character: { name: "角色一致性", definition: "每个角色保持相同身份：脸、发型、服装和比例。" },
};

export const dimensionsJa: Record<DimensionKey, DimensionText> = {
  smoothness: { name: "映像の滑らかさ", definition: "ちらつき、揺れ、歪み、手足の崩れ、フレーム間の変形がないこと。" },
  motion: { name: "映像の動き", definition: "主な被写体が実際に動き、動きの量が自然で読み取りやすいこと。" },
  appeal: { name: "映像の魅力", definition: "鮮明さ、解像度、明るさ、色、線画：1 フレームの見栄え。" },
  text_video: { name: "テキストと動画の一致", definition: "プロンプトの内容（動作、被写体、場面）が動画に表れていること。" },
  image_video: { name: "画像と動画の一致", definition: "初期画像（画風、レイアウト、色）に忠実であること。" },
  character: { name: "キャラクターの一貫性", definition: "各キャラクターが同じ顔、髪、服装、体型を保つこと。" },
};
