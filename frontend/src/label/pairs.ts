/**
 * A lease made ready to show: both clips downloaded into blob URLs and loaded into <video>
 * elements that sit in a hidden bin until the pair is shown, plus the decoded initial image.
 * Showing a prepared pair moves those elements into the player: no network wait, and the next
 * pair keeps working even if the connection drops in between.
 */
import { effectiveFps } from "../lib/sync";
import { videoOn } from "../lib/strength";
import type { Lease, VideoInfo } from "../lib/types";
import type { ClipInfo } from "./player";

const READY_TIMEOUT_MS = 20_000;

function makeVideo(): HTMLVideoElement {
  const v = document.createElement("video");
  v.muted = true;
  v.defaultMuted = true;
  v.playsInline = true;
  v.preload = "auto";
  v.disablePictureInPicture = true;
  v.setAttribute("disableremoteplayback", "");
  return v;
}

async function toBlobUrl(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return null;
    return URL.createObjectURL(await response.blob());
  } catch {
    return null; // fall back to streaming from the URL
  }
}

function whenPlayable(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve) => {
    if (video.readyState >= 3) return resolve();
    const done = () => {
      clearTimeout(timer);
      video.removeEventListener("canplay", done);
      video.removeEventListener("canplaythrough", done);
      video.removeEventListener("error", done);
      resolve();
    };
    const timer = setTimeout(done, READY_TIMEOUT_MS);
    video.addEventListener("canplay", done);
    video.addEventListener("canplaythrough", done);
    video.addEventListener("error", done);
  });
}

export class PreparedPair {
  readonly left: HTMLVideoElement = makeVideo();
  readonly right: HTMLVideoElement = makeVideo();
  readonly image = new Image();
  readonly ready: Promise<void>;
  isReady = false;
  private blobUrls: string[] = [];
  private disposed = false;

  constructor(
    readonly lease: Lease,
    bin: HTMLElement,
  ) {
    this.left.dataset.videoId = String(videoOn(lease, "left").id);
    this.right.dataset.videoId = String(videoOn(lease, "right").id);
    bin.append(this.left, this.right);
    this.image.decoding = "async";
    this.image.src = lease.prompt.initial_image_url;
    this.ready = this.load().then(() => {
      this.isReady = true;
    });
  }

  get assignment(): number {
    return this.lease.assignment;
  }

  info(): ClipInfo {
    const v = videoOn(this.lease, "left");
    const other = videoOn(this.lease, "right");
    const fps = effectiveFps(v.fps, v.frame_count, v.duration_s);
    const duration = Math.max(v.duration_s ?? this.left.duration ?? 0, other.duration_s ?? 0) || 0;
    const frameCount = Math.max(v.frame_count ?? 0, other.frame_count ?? 0) || Math.round(duration * fps);
    return { fps, frameCount, duration, aspect: v.width && v.height ? v.width / v.height : 16 / 9 };
  }

  /** Detach the elements and free the downloaded clips. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of [this.left, this.right]) {
      v.pause();
      v.removeAttribute("src");
      v.load();
      v.remove();
    }
    this.blobUrls.forEach((u) => URL.revokeObjectURL(u));
    this.blobUrls = [];
  }

  private async load(): Promise<void> {
    const sources = [videoOn(this.lease, "left"), videoOn(this.lease, "right")] as VideoInfo[];
    const urls = await Promise.all(sources.map((s) => toBlobUrl(s.url)));
    if (this.disposed) {
      urls.forEach((u) => u && URL.revokeObjectURL(u));
      return;
    }
    [this.left, this.right].forEach((video, i) => {
      const blob = urls[i];
      if (blob) this.blobUrls.push(blob);
      video.src = blob ?? sources[i].url;
      video.load();
    });
    await Promise.all([whenPlayable(this.left), whenPlayable(this.right), this.image.decode().catch(() => undefined)]);
  }
}
