/** The people table: roles (editable), state, statistics and the actions of each person. */
import { h } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { empty, formatTime, table } from "../runs/widgets";
import type { Person, PersonActions } from "./types";

const STATUS_CLASS: Record<string, string> = { active: "succeeded", paused: "failed", invited: "queued" };

export function share(value: number | null): string {
  return value === null ? "—" : `${(100 * value).toFixed(1)}%`;
}

function statusBadge(p: Person): HTMLElement {
  return h("span", { class: `badge state state-${STATUS_CLASS[p.status] ?? p.status}`, "data-status": p.status }, t(`people.status.${p.status}` as MessageKey));
}

function rolesCell(p: Person, roles: string[], self: boolean, busy: boolean, actions: PersonActions): HTMLElement {
  const boxes = roles.map((role) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: `role-${role}`, value: role, checked: p.roles.includes(role),
      // An admin cannot take the admin role from themselves (the server refuses it too).
      disabled: self && role === "admin" }),
    ` ${t(`role.${role}` as MessageKey)}`));
  const save = h("button", { type: "button", class: "btn btn-small", "data-action": "roles", disabled: busy }, t("people.saveRoles"));
  const cell = h("span", { class: "roles-cell" }, ...boxes, save);
  save.addEventListener("click", () => {
    const chosen = [...cell.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")].map((b) => b.value);
    actions.saveRoles(p, chosen);
  });
  return cell;
}

function actionsCell(p: Person, self: boolean, busy: boolean, actions: PersonActions): HTMLElement {
  if (self) return h("span", { class: "muted" }, "—");
  const button = (key: string, text: string, onclick: () => void, danger = false) =>
    h("button", { type: "button", class: `btn btn-small ${danger ? "btn-danger" : ""}`, "data-action": key, disabled: busy, onclick }, text);
  return h("span", { class: "actions-row" },
    p.status === "paused" ? button("resume", t("people.resume"), () => actions.resume(p)) : button("pause", t("people.pause"), () => actions.pause(p), true),
    button("reset", t("people.resetPassword"), () => actions.reset(p)));
}

export function peopleTable(people: Person[], roles: string[], selfId: number, busy: number | null, actions: PersonActions): HTMLElement {
  if (people.length === 0) return empty(t("people.none"));
  const wrap = table(
    [t("people.col.person"), t("people.col.roles"), t("people.col.status"), t("people.col.submitted"), t("people.col.gold"),
      t("people.col.agreement"), t("people.col.lastSeen"), t("people.col.actions")],
    people.map((p) => [
      h("span", {}, p.username, p.email ? h("span", { class: "muted" }, ` · ${p.email}`) : null),
      rolesCell(p, roles, p.id === selfId, busy === p.id, actions),
      statusBadge(p),
      { text: String(p.submitted), num: true },
      { text: p.gold_answers ? `${share(p.gold_accuracy)} (${p.gold_answers})` : "—", num: true },
      { text: share(p.agreement), num: true },
      formatTime(p.last_login),
      actionsCell(p, p.id === selfId, busy === p.id, actions),
    ]),
    { caption: t("people.listTitle") },
  );
  // Rows carry the person's id so tests and focus restoration can find them.
  wrap.querySelectorAll("tbody tr").forEach((row, i) => row.setAttribute("data-person", String(people[i].id)));
  return wrap;
}
