/** The invitation form and the card that shows a freshly issued one-time link (once). */
import { h } from "../lib/dom";
import { formatTime } from "../runs/widgets";
import { t, type MessageKey } from "../lib/i18n";
import type { IssuedLink } from "./types";

export interface InviteBody {
  username: string;
  email: string;
  roles: string[];
}

export function inviteForm(roles: string[], busy: boolean, onSubmit: (body: InviteBody) => void): HTMLFormElement {
  const form = h("form", { class: "people-form", "data-form": "invite" },
    h("p", { class: "field" }, h("label", { for: "invite-username" }, t("people.username")),
      h("input", { id: "invite-username", name: "username", class: "input", required: true, maxlength: 150, autocomplete: "off" })),
    h("p", { class: "field" }, h("label", { for: "invite-email" }, t("people.email")),
      h("input", { id: "invite-email", name: "email", type: "email", class: "input", maxlength: 254, autocomplete: "off" })),
    h("p", { class: "field" }, h("label", { for: "invite-role" }, t("people.role")),
      h("select", { id: "invite-role", name: "role", class: "select" }, ...roles.map((r) => h("option", { value: r }, t(`role.${r}` as MessageKey))))),
    h("p", { class: "field" }, h("button", { type: "submit", class: "btn btn-primary", disabled: busy }, t("people.invite"))),
  ) as HTMLFormElement;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    onSubmit({ username: String(data.get("username") ?? "").trim(), email: String(data.get("email") ?? "").trim(), roles: [String(data.get("role"))] });
  });
  return form;
}

export function linkCard(issued: IssuedLink, onCopied: () => void): HTMLElement {
  const input = h("input", { id: "issued-link", class: "input", readonly: true, value: issued.link, "data-link": issued.username });
  const copy = h("button", { type: "button", class: "btn", "data-action": "copy" }, t("people.copy"));
  copy.addEventListener("click", () => {
    input.select();
    void navigator.clipboard?.writeText(issued.link).then(onCopied, () => undefined);
  });
  return h("section", { class: "card card-link", "data-card": "link", role: "status" },
    h("h2", { id: "card-link-title", tabindex: -1 }, t("people.linkTitle", { name: issued.username })),
    h("p", { class: "help" }, t("people.linkHelp", { name: issued.username, when: formatTime(issued.expires_at) })),
    h("div", { class: "invite-link" }, h("label", { for: "issued-link", class: "sr-only" }, t("people.linkTitle", { name: issued.username })), input, copy));
}
