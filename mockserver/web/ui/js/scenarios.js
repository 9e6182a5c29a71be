// Scenarios: the rules in force (first match wins) with remaining and applied counts; add rules as YAML or JSON
// (the schema's message shown when one is wrong), delete one, restore the startup rules.
import * as api from "./api.js";
import { h, pretty, replace, table, toast } from "./dom.js";

const EXAMPLE = `# YAML or JSON: one rule, a list, or {scenarios: [...]}
name: rate-limit-once
match: {operation: create, times: 1}
http: {status: 429, body: {detail: "Request was throttled."}, headers: {Retry-After: "2"}}
`;

export function mount(root) {
  const list = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const editor = h("textarea", { id: "rule-text", spellcheck: "false", "aria-label": "New rules (YAML or JSON)" });
  editor.value = EXAMPLE;
  const errors = h("p", { class: "error", role: "alert", id: "rule-errors" });
  replace(root, h("h1", {}, "Scenarios"), list,
    h("section", { class: "panel" }, h("h2", {}, "Add rules"), editor, errors,
      h("div", { class: "row" },
        h("button", { class: "primary", id: "add-rule", onclick: add }, "Add"),
        h("button", { onclick: restore }, "Restore startup rules"))));

  async function add() {
    errors.textContent = "";
    try {
      const added = await api.post("/__admin/scenarios/text", { text: editor.value });
      toast(`Added ${added.map((r) => r.id).join(", ")}.`, true);
      refresh();
    } catch (err) { errors.textContent = err.message; }
  }

  async function restore() {
    try { await api.post("/__admin/scenarios/restore"); refresh(); } catch (err) { toast(err.message); }
  }

  async function remove(rule) {
    try { await api.del(`/__admin/scenarios/${encodeURIComponent(rule.id)}`); refresh(); }
    catch (err) { toast(err.message); }
  }

  async function refresh() {
    try {
      const rules = await api.get("/__admin/scenarios");
      replace(list, rules.length ? table(["#", "Rule", "Remaining", "Applied", "Definition", ""], rules.map((r, i) =>
        h("tr", { dataset: { rule: r.id } },
          h("td", {}, i + 1), h("td", { class: "mono" }, r.id),
          h("td", {}, r.remaining === null ? "∞" : r.remaining), h("td", { class: "applied" }, r.applied),
          h("td", {}, h("details", {}, h("summary", {}, describe(r.rule)), h("pre", {}, pretty(r.rule)))),
          h("td", {}, h("button", { class: "danger", "aria-label": `Delete rule ${r.id}`, onclick: () => remove(r) },
            "Delete")))))
        : h("p", { class: "muted" }, "No rules: every call gets the default behaviour."));
    } catch (err) { replace(list, h("p", { class: "error" }, err.message)); }
  }

  refresh();
  return { refresh, wants: (e) => e.kind === "scenario.changed" || e.kind === "state.reset" || (e.kind === "journal.entry" && e.data.rule) };
}

function describe(rule) {
  const m = rule.match || {};
  const what = rule.http ? `answers ${rule.http.status || 500}` : rule.outcome ? `job ${rule.outcome.status}`
    : rule.stream ? "stream faults" : rule.timing ? "timing" : "matches";
  return `${m.operation || "create"}${m.family ? ` on ${m.family}` : ""} → ${what}`;
}
