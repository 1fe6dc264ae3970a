/**
 * GAPO samples, read tolerantly: any "<name>_url" (or "<name>_video" holding a URL) is a video,
 * any "<name>_scores" object is a row of per-dimension scores, other scalars are shown as text.
 */
export interface SampleVideo {
  name: string;
  url: string;
}

export interface SampleScores {
  name: string;
  scores: Record<string, number>;
}

export interface SampleParts {
  prompt: string;
  videos: SampleVideo[];
  scores: SampleScores[];
  /** Dimensions of the score rows, first-seen order. */
  dimensions: string[];
  extras: [string, string][];
}

const looksLikeUrl = (v: string) => /^(\/|https?:\/\/|blob:|data:video\/)/.test(v);

function suffixed(key: string, suffix: string): string | null {
  return key.endsWith(suffix) && key.length > suffix.length ? key.slice(0, -suffix.length) : null;
}

export function sampleParts(sample: Record<string, unknown>): SampleParts {
  const parts: SampleParts = { prompt: "", videos: [], scores: [], dimensions: [], extras: [] };
  for (const [key, value] of Object.entries(sample ?? {})) {
    const videoName = suffixed(key, "_url") ?? suffixed(key, "_video");
    const scoreName = suffixed(key, "_scores");
    if (key === "prompt" && typeof value === "string") {
      parts.prompt = value;
    } else if (videoName && typeof value === "string" && looksLikeUrl(value)) {
      parts.videos.push({ name: videoName, url: value });
    } else if (scoreName && value && typeof value === "object" && !Array.isArray(value)) {
      const scores: Record<string, number> = {};
      for (const [d, s] of Object.entries(value as Record<string, unknown>)) {
        if (typeof s === "number" && Number.isFinite(s)) {
          scores[d] = s;
          if (!parts.dimensions.includes(d)) parts.dimensions.push(d);
        }
      }
      parts.scores.push({ name: scoreName, scores });
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      parts.extras.push([key, String(value)]);
    }
  }
  return parts;
}
