import type { Dimension, Lease } from "../src/lib/types";

export const DIMS: Dimension[] = [
  { key: "character", group: "consistency", name: "Character consistency", definition: "d", guideline: "g", order: 6 },
  { key: "smoothness", group: "appearance", name: "Visual smoothness", definition: "d", guideline: "g", order: 1 },
  { key: "motion", group: "appearance", name: "Visual motion", definition: "d", guideline: "g", order: 2 },
  { key: "text_video", group: "consistency", name: "Text-video consistency", definition: "d", guideline: "g", order: 4 },
];

export function lease(overrides: Partial<Lease> = {}): Lease {
  const video = (id: number) => ({ id, url: `/media/videos/${id}.mp4`, fps: 12, frame_count: 36, width: 256, height: 144, duration_s: 3 });
  return {
    assignment: 41,
    campaign: 7,
    state: "leased",
    expires_at: "2030-01-01T00:00:00Z",
    lease_ttl_seconds: 600,
    left: "a",
    video_a: video(100),
    video_b: video(200),
    prompt: { id: 1, text: "A girl waves", initial_image_url: "/media/initial/x.png", action_label: "waving" },
    protocol: "pairwise",
    dimensions: DIMS,
    ...overrides,
  };
}
