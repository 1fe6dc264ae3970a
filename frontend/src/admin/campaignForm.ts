/**
 * The campaign form: pure pieces. `formValues` turns a campaign (or the defaults) into the form's
 * values, `renderCampaignForm` draws them with the server's field errors next to their fields,
 * `readForm` collects what the admin typed, and `toPayload` turns that into the API body (numbers
 * as numbers; ranges are checked by the service, whose messages the form shows).
 */
import { h } from "../lib/dom";
import { dimensionText, t, type MessageKey } from "../lib/i18n";
import type { Dimension } from "../lib/types";
import type { CampaignSettings, ChoiceField, FieldErrors } from "./types";

export interface FormValues {
  name: string;
  slug: string;
  status: string;
  protocol: string;
  instructions: string;
  dimensions: string[];
  guidelines: Record<string, string>;
  overlap: string;
  lease_ttl_seconds: string;
  selection_policy: string;
  adaptive_overlap: boolean;
  adaptive_min_votes: string;
  gold_rate: string;
  qualification_gold_count: string;
  min_gold_accuracy: string;
  min_gold_answers: string;
  pairing: string;
  pair_budget_per_prompt: string;
  edit_window_minutes: string;
}

const INTEGER_FIELDS = ["overlap", "lease_ttl_seconds", "adaptive_min_votes", "qualification_gold_count", "min_gold_answers", "pair_budget_per_prompt", "edit_window_minutes"] as const;
const DECIMAL_FIELDS = ["gold_rate", "min_gold_accuracy"] as const;
type NumberField = (typeof INTEGER_FIELDS)[number] | (typeof DECIMAL_FIELDS)[number];

/** The form's sections: which inputs each holds, in order. */
const SECTIONS: { title: MessageKey; fields: (NumberField | ChoiceField | "adaptive_overlap")[] }[] = [
  { title: "adm.form.assignment", fields: ["overlap", "lease_ttl_seconds", "edit_window_minutes", "selection_policy", "adaptive_overlap", "adaptive_min_votes"] },
  { title: "adm.form.quality", fields: ["gold_rate", "qualification_gold_count", "min_gold_accuracy", "min_gold_answers"] },
  { title: "adm.form.pairing", fields: ["pairing", "pair_budget_per_prompt"] },
];

export function formValues(campaign: CampaignSettings | null, dimensions: Dimension[]): FormValues {
  const c = campaign;
  const str = (v: number | null | undefined, fallback: string) => (v === null || v === undefined ? fallback : String(v));
  return {
    name: c?.name ?? "",
    slug: c?.slug ?? "",
    status: c?.status ?? "draft",
    protocol: c?.protocol ?? "pairwise",
    instructions: c?.instructions ?? "",
    dimensions: c ? c.dimensions.map((d) => d.key) : dimensions.map((d) => d.key),
    guidelines: Object.fromEntries(dimensions.map((d) => [d.key, d.guideline])),
    overlap: str(c?.overlap, "3"),
    lease_ttl_seconds: str(c?.lease_ttl_seconds, "600"),
    selection_policy: c?.selection_policy ?? "random",
    adaptive_overlap: c?.adaptive_overlap ?? false,
    adaptive_min_votes: str(c?.adaptive_min_votes, "2"),
    gold_rate: str(c?.gold_rate, "0"),
    qualification_gold_count: str(c?.qualification_gold_count, "0"),
    min_gold_accuracy: str(c?.min_gold_accuracy, "0.6"),
    min_gold_answers: str(c?.min_gold_answers, "5"),
    pairing: c?.pairing ?? "all",
    pair_budget_per_prompt: str(c?.pair_budget_per_prompt, ""),
    edit_window_minutes: str(c?.edit_window_minutes, "60"),
  };
}

/** Whether anything differs from the values the form opened with (dimension order aside). */
export function formChanged(opened: FormValues, now: FormValues): boolean {
  // a textarea reads "\r\n" (stored through Django's admin) back as "\n"
  const text = (v: unknown) => (typeof v === "string" ? v.replace(/\r\n/g, "\n") : v);
  return (Object.keys(opened) as (keyof FormValues)[]).some((k) => {
    const [a, b] = [opened[k], now[k]];
    if (Array.isArray(a) && Array.isArray(b)) return [...a].sort().join("\n") !== [...b].sort().join("\n");
    if (typeof a === "object" && typeof b === "object") {
      const [x, y] = [a as Record<string, string>, b as Record<string, string>];
      return Object.keys({ ...x, ...y }).some((d) => text(x[d] ?? "") !== text(y[d] ?? ""));
    }
    return text(a) !== text(b);
  });
}

/** A number field's text as JSON: a number when it reads as one, else the text itself, so the
 * server names the problem ("three" is refused there, next to its field). Empty budget = null. */
export function numberValue(text: string, integer: boolean): number | string | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return trimmed;
  return value;
}

/** The API body. Only guidelines that differ from `savedGuidelines` are sent: a guideline is shared
 * by every campaign using its dimension, so an untouched one must not overwrite a newer edit. */
export function toPayload(v: FormValues, savedGuidelines: Record<string, string> = {}): Record<string, unknown> {
  const changed = v.dimensions.filter((k) => k in v.guidelines && v.guidelines[k] !== (savedGuidelines[k] ?? ""));
  const body: Record<string, unknown> = {
    name: v.name, slug: v.slug, status: v.status, protocol: v.protocol, instructions: v.instructions,
    dimensions: v.dimensions, selection_policy: v.selection_policy, adaptive_overlap: v.adaptive_overlap, pairing: v.pairing,
    guidelines: Object.fromEntries(changed.map((k) => [k, v.guidelines[k]])),
  };
  for (const f of INTEGER_FIELDS) body[f] = numberValue(v[f], true);
  for (const f of DECIMAL_FIELDS) body[f] = numberValue(v[f], false);
  if (v.pairing !== "budget") body.pair_budget_per_prompt = null;
  return body;
}

function errorsOf(name: string, errors: FieldErrors): HTMLElement | null {
  const messages = errors[name];
  return messages?.length ? h("p", { class: "field-error", id: `err-${name}`, role: "alert" }, messages.join(" ")) : null;
}

function fieldAttrs(name: string, errors: FieldErrors) {
  const bad = Boolean(errors[name]?.length);
  return { id: `f-${name}`, name, "aria-invalid": bad ? "true" : null, "aria-describedby": bad ? `err-${name}` : null };
}

function choiceLabel(field: ChoiceField, value: string): string {
  return t(`adm.choice.${field}.${value}` as MessageKey);
}

function input(name: NumberField | "name" | "slug", value: string, errors: FieldErrors): HTMLElement {
  const numeric = name !== "name" && name !== "slug";
  const step = (DECIMAL_FIELDS as readonly string[]).includes(name) ? "0.01" : "1";
  return h("div", { class: "field", "data-field": name },
    h("label", { for: `f-${name}` }, t(`adm.field.${name}` as MessageKey)),
    h("input", { ...fieldAttrs(name, errors), type: numeric ? "number" : "text", step: numeric ? step : null, value, autocomplete: "off" }),
    errorsOf(name, errors));
}

function select(name: ChoiceField, value: string, choices: string[], errors: FieldErrors): HTMLElement {
  return h("div", { class: "field", "data-field": name },
    h("label", { for: `f-${name}` }, t(`adm.field.${name}` as MessageKey)),
    h("select", fieldAttrs(name, errors), ...choices.map((c) => h("option", { value: c, selected: c === value }, choiceLabel(name, c)))),
    errorsOf(name, errors));
}

function checkbox(name: string, checked: boolean, label: string, errors: FieldErrors, extra: Record<string, string> = {}): HTMLElement {
  return h("label", { class: "check" }, h("input", { ...fieldAttrs(name, errors), type: "checkbox", checked, ...extra }), h("span", {}, label));
}

function dimensionRow(d: Dimension, v: FormValues, errors: FieldErrors): HTMLElement {
  const text = dimensionText(d);
  const chosen = v.dimensions.includes(d.key);
  const check = h("input", { type: "checkbox", name: "dimensions", value: d.key, checked: chosen, id: `f-dim-${d.key}` });
  return h("div", { class: "dimension", "data-dimension": d.key },
    h("label", { class: "check", for: `f-dim-${d.key}` }, check, h("span", {}, h("strong", {}, text.name), " — ", text.definition)),
    h("label", { class: "sr-only", for: `f-guide-${d.key}` }, t("adm.field.guideline", { name: text.name })),
    h("textarea", { id: `f-guide-${d.key}`, name: `guideline:${d.key}`, rows: 2, placeholder: t("adm.field.guideline", { name: text.name }), "aria-invalid": errors.guidelines ? "true" : null }, v.guidelines[d.key] ?? ""));
}

export function renderCampaignForm(v: FormValues, opts: { dimensions: Dimension[]; choices: Record<ChoiceField, string[]>; errors: FieldErrors; editing: string | null; busy: boolean }): HTMLFormElement {
  const { errors } = opts;
  const field = (name: NumberField | ChoiceField | "adaptive_overlap") =>
    name === "adaptive_overlap" ? checkbox(name, v.adaptive_overlap, t("adm.field.adaptive_overlap"), errors)
      : name in opts.choices ? select(name as ChoiceField, v[name as ChoiceField], opts.choices[name as ChoiceField], errors)
        : input(name as NumberField, v[name as NumberField], errors);
  return h("form", { class: "card campaign-form", novalidate: true, "data-form": "campaign" },
    h("h2", {}, opts.editing ? t("adm.form.editTitle", { name: opts.editing }) : t("adm.form.createTitle")),
    h("fieldset", {}, h("legend", {}, t("adm.form.basics")),
      input("name", v.name, errors), input("slug", v.slug, errors),
      select("status", v.status, opts.choices.status, errors), select("protocol", v.protocol, opts.choices.protocol, errors),
      h("div", { class: "field field-wide" }, h("label", { for: "f-instructions" }, t("adm.field.instructions")),
        h("textarea", { ...fieldAttrs("instructions", errors), rows: 3 }, v.instructions), errorsOf("instructions", errors))),
    h("fieldset", { class: "dimensions" }, h("legend", {}, t("adm.form.dimensions")), h("p", { class: "help muted" }, t("adm.form.dimensionsHelp")),
      ...opts.dimensions.map((d) => dimensionRow(d, v, errors)), errorsOf("dimensions", errors), errorsOf("guidelines", errors)),
    ...SECTIONS.map((s) => h("fieldset", {}, h("legend", {}, t(s.title)), ...s.fields.map(field))),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "btn btn-primary", "data-action": "save", disabled: opts.busy }, opts.busy ? t("adm.form.saving") : t(opts.editing ? "adm.form.save" : "adm.form.create")),
      h("button", { type: "button", class: "btn", "data-action": "cancel" }, t("adm.form.cancel")),
      h("span", { class: "muted help" }, t("adm.form.shortcut"))));
}

/** What the form holds now (the DOM is the source of truth while the admin types). */
export function readForm(form: HTMLFormElement, dimensions: Dimension[]): FormValues {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? "");
  return {
    name: text("name"), slug: text("slug"), status: text("status"), protocol: text("protocol"), instructions: text("instructions"),
    dimensions: data.getAll("dimensions").map(String),
    guidelines: Object.fromEntries(dimensions.map((d) => [d.key, text(`guideline:${d.key}`)])),
    overlap: text("overlap"), lease_ttl_seconds: text("lease_ttl_seconds"), selection_policy: text("selection_policy"),
    adaptive_overlap: data.get("adaptive_overlap") !== null, adaptive_min_votes: text("adaptive_min_votes"),
    gold_rate: text("gold_rate"), qualification_gold_count: text("qualification_gold_count"), min_gold_accuracy: text("min_gold_accuracy"),
    min_gold_answers: text("min_gold_answers"), pairing: text("pairing"), pair_budget_per_prompt: text("pair_budget_per_prompt"),
    edit_window_minutes: text("edit_window_minutes"),
  };
}
