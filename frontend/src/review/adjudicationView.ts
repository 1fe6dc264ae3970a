/**
 * The adjudication panel's pure parts: a video figure per side, and the answers table (every
 * annotator's answer per dimension in words, the crowd's consensus, and the reviewer's select,
 * preset from an earlier adjudication). adjudicationPanel.ts wires them into the modal and the form.
 */
import { h } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { answerColumns, consensusOf, initialChoices, nearestStrength, STRENGTHS, strengthKey, type QueueItem, type Strength } from "./adjudication";

const words = (s: number) => t(strengthKey(s));

export function adjudicationVideo(side: "a" | "b", info: { url: string } | undefined): HTMLElement {
  return h(
    "figure",
    { class: `adj-video adj-video-${side}` },
    h("figcaption", {}, t(side === "a" ? "review.adj.videoA" : "review.adj.videoB")),
    info ? h("video", { src: info.url, controls: true, loop: true, muted: true, playsinline: true, preload: "metadata", "data-side": side }) : h("p", { class: "muted" }, "—"),
  );
}

type Answers = ReturnType<typeof answerColumns>;

function consensusText(answers: Answers, key: string): string {
  const c = consensusOf(answers, key);
  if (!c) return "—";
  const mean = (c.mean > 0 ? "+" : "") + c.mean.toFixed(2);
  return t("review.adj.consensusText", { words: words(c.direction === "tie" ? 0 : nearestStrength(c.mean)), mean, a: c.nA, same: c.nTie, b: c.nB });
}

function answerCell(s: number | undefined): HTMLElement {
  if (typeof s !== "number") return h("td", { class: "adj-answer" }, "—");
  return h("td", { class: `adj-answer strength-${s < 0 ? "a" : s > 0 ? "b" : "same"}` }, words(s));
}

/** The answers table; its selects (one per dimension, focus first on the first disputed one) by key. */
export function answersTable(item: QueueItem, dimensions: string[], dimName: (key: string) => string): { table: HTMLElement; selects: Map<string, HTMLSelectElement> } {
  const answers = answerColumns(item);
  const disputed = new Map(item.disputes.map((d) => [d.dimension, d]));
  const choices = initialChoices(item, dimensions);
  const firstDisputed = dimensions.find((d) => disputed.has(d)) ?? dimensions[0];
  const selects = new Map<string, HTMLSelectElement>();
  const row = (key: string) => {
    const dispute = disputed.get(key);
    const select = h(
      "select",
      { id: `adj-${key}`, class: "select", "aria-label": t("review.adj.answerFor", { dimension: dimName(key) }), "data-dimension": key, "data-autofocus": key === firstDisputed ? true : null },
      h("option", { value: "", selected: choices[key] === null }, t("review.adj.keep")),
      ...STRENGTHS.map((s) => h("option", { value: String(s), selected: choices[key] === s }, words(s))),
    );
    selects.set(key, select);
    const chip = dispute ? h("span", { class: `chip dispute dispute-${dispute.reason}` }, t(`review.reason.${dispute.reason}` as MessageKey)) : null;
    return h(
      "tr",
      { class: dispute ? "is-disputed" : "", "data-dimension": key },
      h("th", { scope: "row" }, h("span", { class: "adj-dim" }, dimName(key), chip)),
      ...answers.map((a) => answerCell(a.strengths[key])),
      h("td", { class: "adj-consensus" }, consensusText(answers, key)),
      h("td", {}, select),
    );
  };
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, t("review.col.dimension")),
    ...answers.map((a) => h("th", { scope: "col" }, a.annotator.username, a.paused ? h("span", { class: "muted" }, ` (${t("review.status.paused")})`) : null)),
    h("th", { scope: "col" }, t("review.adj.consensus")),
    h("th", { scope: "col" }, t("review.adj.yourAnswer")),
  );
  const rows = dimensions.map(row);
  const table = h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "table table-compact adj-table" }, h("caption", { class: "sr-only" }, t("review.adj.answersCaption")), h("thead", {}, head), h("tbody", {}, ...rows)),
  );
  return { table, selects };
}

/** The reviewer's answer per dimension: a strength, or null to keep the crowd's. */
export function pickedStrengths(selects: Map<string, HTMLSelectElement>): Record<string, Strength | null> {
  const picked: Record<string, Strength | null> = {};
  for (const [key, select] of selects) picked[key] = select.value === "" ? null : (Number(select.value) as Strength);
  return picked;
}
