/**
 * Where a span of frames sits on a timeline strip, in percent of its width: shared by the label
 * page's lanes and the reviewer's overlay so both draw frame k at the same place. A frame is a
 * cell: frame k covers [k/n, (k+1)/n) of the strip, so a one-frame span is still visible.
 */

export function spanBox(start: number, end: number, frameCount: number): { left: number; width: number } {
  const n = Math.max(1, frameCount);
  const s = Math.max(0, Math.min(n - 1, start));
  const e = Math.max(s, Math.min(n - 1, end));
  return { left: (100 * s) / n, width: (100 * (e - s + 1)) / n };
}

/** The middle of frame k's cell (the playhead and the in-point marker). */
export function frameCentre(frame: number, frameCount: number): number {
  const n = Math.max(1, frameCount);
  return (100 * (Math.max(0, Math.min(n - 1, frame)) + 0.5)) / n;
}

export function pct(x: number): string {
  return `${x.toFixed(3)}%`;
}
