/** The "new dataset version" form: rendered from the campaigns, read back into a request body. */
import { h } from "../lib/dom";
import { dimensionText, t } from "../lib/i18n";
import type { CreateBody, ExportsConfig } from "./types";

function numberField(id: string, label: string, value: number, attrs: Record<string, number>): HTMLElement {
  return h("p", { class: "field" }, h("label", { for: id }, label),
    h("input", { id, name: id, type: "number", value, class: "input", required: true, ...attrs }));
}

export function createForm(config: Pick<ExportsConfig, "campaigns" | "dimensions">, busy: boolean, onSubmit: (body: CreateBody) => void): HTMLFormElement {
  const boxes = config.campaigns.map((c, i) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "campaigns", value: c.id, checked: i === 0 }), ` ${c.name}`),
  );
  const dims = config.dimensions.map((d) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "dimensions", value: d.key }), ` ${dimensionText(d).name}`),
  );
  const form = h(
    "form",
    { class: "export-form", "data-form": "export" },
    h("fieldset", { class: "field" }, h("legend", {}, t("exports.campaigns")), ...boxes),
    h("fieldset", { class: "field" }, h("legend", {}, t("exports.dimensions")), ...dims),
    h("p", { class: "field" }, h("label", { for: "export-name" }, t("exports.name")),
      h("input", { id: "export-name", name: "name", maxlength: 120, class: "input", placeholder: t("exports.namePlaceholder") })),
    numberField("min_votes_per_pair", t("exports.minVotes"), 1, { min: 1, step: 1 }),
    numberField("min_agreement", t("exports.minAgreement"), 0, { min: 0, max: 1, step: 0.05 }),
    numberField("test_fraction", t("exports.testFraction"), 0.2, { min: 0, max: 0.99, step: 0.05 }),
    h("p", { class: "actions-row" }, h("button", { type: "submit", class: "btn btn-primary", disabled: busy || config.campaigns.length === 0 }, t("exports.create"))),
  ) as HTMLFormElement;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(readForm(form));
  });
  return form;
}

export function readForm(form: HTMLFormElement): CreateBody {
  const data = new FormData(form);
  return {
    campaigns: data.getAll("campaigns").map((v) => Number(v)),
    dimensions: data.getAll("dimensions").map((v) => String(v)),
    name: String(data.get("name") ?? "").trim(),
    min_votes_per_pair: Number(data.get("min_votes_per_pair")),
    min_agreement: Number(data.get("min_agreement")),
    test_fraction: Number(data.get("test_fraction")),
  };
}
