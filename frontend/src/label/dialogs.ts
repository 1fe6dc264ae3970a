/** The page's four overlays (help, guidelines drawer, flag, skip confirmation) and the keyboard mode they imply. */
import { t } from "../lib/i18n";
import type { Mode } from "../lib/keymap";
import type { Dimension, FlagReason } from "../lib/types";
import { Overlay, flagContent, guidelinesContent, helpContent, pickFlagReason, pickedFlagReason, skipContent } from "./overlays";

export interface DialogHost {
  instructions: string;
  dimensions: () => Dimension[];
  focusedDimension: () => string | null;
  onSkip: () => void;
  onFlag: (reason: FlagReason, note: string) => void;
  /** A dialog closed: give the keyboard focus back to the answer rows. */
  onClosed: () => void;
}

export class Dialogs {
  private readonly help = new Overlay("dialog", () => this.closeAll());
  private readonly guide = new Overlay("drawer", () => this.closeAll());
  private readonly flag = new Overlay("dialog", () => this.closeAll());
  private readonly skip = new Overlay("dialog", () => this.closeAll());
  private guideFocus: string | null = null;

  constructor(private readonly host: DialogHost) {}

  get elements(): HTMLElement[] {
    return [this.help.el, this.guide.el, this.flag.el, this.skip.el];
  }

  mode(hasPair: boolean): Mode {
    if (this.help.isOpen) return "help";
    if (this.flag.isOpen) return "flag";
    if (this.skip.isOpen) return "confirmSkip";
    if (this.guide.isOpen) return "guidelines";
    return hasPair ? "main" : "empty";
  }

  openHelp(): void {
    this.closeAll(false);
    this.help.open(t("help.title"), helpContent());
  }

  /** Open the guidelines at one dimension (the highlighted row's by default), or close them. */
  toggleGuide(key: string | null = this.host.focusedDimension()): void {
    if (this.guide.isOpen) return this.closeAll();
    this.openGuide(key);
  }

  openGuide(key: string | null): void {
    this.closeAll(false);
    this.guideFocus = key;
    this.guide.open(t("guide.title"), guidelinesContent(this.host.dimensions(), this.host.instructions, key));
  }

  openSkip(): void {
    this.closeAll(false);
    this.skip.open(t("skip.title"), skipContent(() => this.host.onSkip(), () => this.closeAll()));
  }

  openFlag(): void {
    this.closeAll(false);
    this.flag.open(t("flag.title"), flagContent(() => this.sendFlag(), () => this.closeAll()));
  }

  /** Choose a reason (1-3 or a click) and move to the note; nothing is sent yet. */
  pickFlag(reason: FlagReason): void {
    pickFlagReason(this.flag.body, reason);
  }

  /** Send the flag with the picked reason and the note; without a reason, point at the choices. */
  sendFlag(): void {
    const picked = pickedFlagReason(this.flag.body);
    if (!picked) {
      this.flag.body.querySelector<HTMLElement>("[data-reason]")?.focus();
      return;
    }
    this.host.onFlag(picked, this.flag.body.querySelector<HTMLTextAreaElement>("#flag-note")?.value ?? "");
  }

  closeAll(notify = true): void {
    const overlays = [this.help, this.guide, this.flag, this.skip];
    const wasOpen = overlays.some((o) => o.isOpen);
    overlays.forEach((o) => o.close());
    this.guideFocus = null;
    if (wasOpen && notify) this.host.onClosed();
  }

  /** Redraw open dialogs in the current language. */
  relabel(): void {
    if (this.guide.isOpen) this.openGuide(this.guideFocus);
    if (this.help.isOpen) this.openHelp();
  }
}
