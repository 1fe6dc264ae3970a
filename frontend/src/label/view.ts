/**
 * The labelling page's markup outside the player and the answer rows: prompt card, key hints,
 * action bar, header extras, banners, toasts and the loading / empty states. No state of its own
 * beyond the DOM: page.ts decides, this draws.
 */
import { Banners, Toasts, languageSwitcher, translateDom } from "../lib/chrome";
import { h, icon } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import type { EmptyNext, Lease } from "../lib/types";
import { trackPinnedHeight } from "./pinned";
import type { AnswerSheet } from "./sheet";

export interface ViewParts {
  player: HTMLElement;
  panel: HTMLElement;
  overlays: HTMLElement[];
  onSkip: () => void;
  onFlag: () => void;
  onSubmit: () => void;
  onGuide: () => void;
  onHelp: () => void;
}

export class LabelView {
  readonly banners = new Banners();
  readonly toasts = new Toasts();
  /** Hidden home of the preloading <video> elements of the next pair. */
  readonly bin = h("div", { class: "preload-bin", "aria-hidden": "true" });
  private readonly workspace: HTMLElement;
  private readonly stateCard = h("section", { class: "state-card", hidden: true, "aria-live": "polite" });
  private readonly hints = h("section", { class: "hints" });
  private readonly prompt = {
    img: h("img", { class: "initial-img", alt: "" }) as HTMLImageElement,
    caption: h("figcaption", {}),
    eyebrow: h("h2", { class: "eyebrow", id: "prompt-eyebrow" }),
    text: h("p", { class: "prompt-text" }),
    chips: h("p", { class: "chips" }),
  };
  private readonly actions: { skip: HTMLButtonElement; flag: HTMLButtonElement; submit: HTMLButtonElement };
  private readonly header: { today: HTMLElement; queue: HTMLElement; guide: HTMLButtonElement; help: HTMLButtonElement };
  private emptyTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly root: HTMLElement,
    parts: ViewParts,
  ) {
    this.actions = {
      skip: h("button", { type: "button", class: "btn btn-ghost", onclick: parts.onSkip }),
      flag: h("button", { type: "button", class: "btn btn-ghost", onclick: parts.onFlag }),
      submit: h("button", { type: "button", class: "btn btn-primary btn-submit", onclick: parts.onSubmit }),
    };
    this.header = {
      today: h("span", { class: "chip chip-today" }),
      queue: h("span", { class: "chip chip-queue", role: "status" }),
      guide: h("button", { type: "button", class: "hbtn", onclick: parts.onGuide }, icon("book")),
      help: h("button", { type: "button", class: "hbtn", onclick: parts.onHelp }, icon("help")),
    };
    const p = this.prompt;
    const promptCard = h(
      "section",
      { class: "prompt-card", "aria-labelledby": "prompt-eyebrow" },
      h("figure", { class: "initial" }, p.img, p.caption),
      h("div", { class: "prompt-body" }, p.eyebrow, p.text, p.chips),
    );
    const actionbar = h("div", { class: "actionbar" }, this.actions.skip, this.actions.flag, h("span", { class: "spacer" }), this.actions.submit);
    // Flat children placed by grid areas, so on narrow screens the prompt can stay pinned over everything.
    this.workspace = h("div", { class: "workspace" }, promptCard, parts.player, this.hints, h("aside", { class: "judge" }, parts.panel, actionbar));
    root.replaceChildren(this.banners.el, this.workspace, this.stateCard, this.bin, this.toasts.el, ...parts.overlays);
    trackPinnedHeight(root, parts.player);
    document
      .querySelector("[data-slot=header-extras]")
      ?.replaceChildren(this.header.today, this.header.queue, this.header.guide, this.header.help, languageSwitcher());
  }

  /** Redraw every static text in the current language. */
  relabel(): void {
    translateDom();
    const { guide, help } = this.header;
    guide.setAttribute("aria-label", t("guide.title"));
    guide.title = `${t("guide.title")} (g)`;
    help.setAttribute("aria-label", t("header.shortcuts"));
    help.title = `${t("header.shortcuts")} (?)`;
    this.actions.skip.replaceChildren(icon("skip", "icon icon-sm"), t("actions.skip"), h("kbd", {}, "s"));
    this.actions.flag.replaceChildren(icon("flag", "icon icon-sm"), t("actions.flag"), h("kbd", {}, "x"));
    this.actions.submit.replaceChildren(t("actions.submit"), h("kbd", {}, "Enter"));
    this.renderHints();
  }

  renderPrompt(lease: Lease | null): void {
    const p = this.prompt;
    p.eyebrow.textContent = t("prompt.title");
    p.caption.textContent = t("prompt.initialImage");
    if (!lease) return;
    if (p.img.src !== new URL(lease.prompt.initial_image_url, location.href).href) p.img.src = lease.prompt.initial_image_url;
    p.img.alt = t("prompt.initialImage");
    p.text.textContent = lease.prompt.text;
    p.chips.replaceChildren(
      ...(lease.prompt.action_label ? [h("span", { class: "chip" }, `${t("prompt.action")}: ${lease.prompt.action_label}`)] : []),
      h("span", { class: "chip chip-muted" }, `#${lease.assignment}`),
    );
  }

  renderActions(sheet: AnswerSheet | null): void {
    const complete = !!sheet?.isComplete();
    const submit = this.actions.submit;
    submit.setAttribute("aria-disabled", String(!complete));
    submit.classList.toggle("is-ready", complete);
    submit.title = !sheet ? "" : complete ? `${t("actions.ready")} (Enter)` : t("actions.remaining", { n: sheet.items.length - sheet.answered() });
  }

  renderToday(n: number): void {
    this.header.today.textContent = t("header.today", { n });
  }

  renderQueue(pending: number, online: boolean): void {
    const el = this.header.queue;
    el.dataset.state = !online ? "offline" : pending ? "pending" : "saved";
    const text = !online
      ? pending
        ? t("queue.offline", { n: pending })
        : t("queue.offlineNone")
      : pending
        ? t("queue.pending", { n: pending })
        : t("queue.saved");
    el.replaceChildren(icon(!online ? "cloudOff" : pending ? "cloud" : "check", "icon icon-sm"), text);
    this.root.dataset.queue = String(pending);
  }

  showLoading(): void {
    this.showCard("loading", h("div", { class: "spinner", "aria-hidden": "true" }), h("p", {}, t("state.loading")));
  }

  /** nothing_left: a thank-you; all_taken: a countdown that calls retry when it runs out. */
  showEmpty(res: EmptyNext, homeUrl: string, retry: () => void): void {
    const back = h("a", { class: "btn btn-ghost", href: homeUrl }, t("empty.back"));
    if (res.reason === "nothing_left") {
      this.showCard(
        res.reason,
        h("div", { class: "state-icon state-done", "aria-hidden": "true" }, icon("check")),
        h("h2", {}, t("empty.nothingTitle")),
        h("p", {}, t("empty.nothingBody")),
        h("div", { class: "dialog-actions" }, back),
      );
      return;
    }
    let left = Math.max(1, res.retry_after_s ?? 30);
    const body = h("p", {}, t("empty.takenBody", { s: left }));
    const now = h("button", { type: "button", class: "btn btn-primary", onclick: retry }, t("empty.retryNow"));
    this.showCard(
      res.reason,
      h("div", { class: "state-icon", "aria-hidden": "true" }, icon("cloud")),
      h("h2", {}, t("empty.takenTitle")),
      body,
      h("div", { class: "dialog-actions" }, back, now),
    );
    this.emptyTimer = setInterval(() => {
      left--;
      body.textContent = t("empty.takenBody", { s: Math.max(0, left) });
      if (left <= 0) {
        this.clearEmptyTimer();
        retry();
      }
    }, 1000);
  }

  showWorkspace(): void {
    this.clearEmptyTimer();
    this.stateCard.hidden = true;
    this.workspace.hidden = false;
  }

  private showCard(state: string, ...children: Node[]): void {
    this.clearEmptyTimer();
    this.workspace.hidden = true;
    this.stateCard.hidden = false;
    this.stateCard.dataset.state = state;
    this.stateCard.replaceChildren(...children);
  }

  private clearEmptyTimer(): void {
    if (this.emptyTimer) clearInterval(this.emptyTimer);
    this.emptyTimer = null;
  }

  /** The keys that matter most, always in sight; `?` lists the rest. */
  private renderHints(): void {
    const hint = (keys: string[], label: MessageKey) => h("span", { class: "hint" }, ...keys.map((k) => h("kbd", {}, k)), h("span", {}, t(label)));
    this.hints.setAttribute("aria-label", t("header.shortcuts"));
    this.hints.replaceChildren(
      hint(["1", "–", "5"], "hint.choose"),
      hint(["↑", "↓"], "hint.row"),
      hint(["Space"], "hint.play"),
      hint([",", "."], "hint.frame"),
      hint(["f"], "hint.flicker"),
      hint(["i", "o"], "hint.span"),
      hint(["v"], "hint.spanVideo"),
      hint(["n"], "hint.spanNext"),
      hint(["r"], "hint.spanReplay"),
      hint(["g"], "hint.guide"),
      hint(["Enter"], "hint.submit"),
      hint(["?"], "hint.all"),
    );
  }
}
