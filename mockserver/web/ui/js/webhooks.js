// Webhooks: the delivery log with states and every attempt (newest first), and the fault knobs for this run.
import * as api from "./api.js";
import { h, replace, toast } from "./dom.js";
import { delivery } from "./timeline.js";

const KNOBS = [
  ["duplicate_rate", "Duplicate rate (0-1)", "number"],
  ["delay", "Delay (seconds, or a range 1-3)", "text"],
  ["reorder_rate", "Reorder rate (0-1)", "number"],
  ["drop_rate", "Drop rate (0-1)", "number"],
];

export function mount(root) {
  const faults = h("form", { class: "panel faults filters", onsubmit: save });
  const list = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  replace(root, h("h1", {}, "Webhooks"), h("h2", {}, "Faults"), faults, h("h2", {}, "Deliveries"), list);

  async function loadFaults() {
    const f = await api.get("/__admin/webhooks/faults");
    replace(faults, KNOBS.map(([key, label, type]) => h("label", {}, label,
      h("input", { name: key, type, step: type === "number" ? "0.01" : null, min: type === "number" ? "0" : null,
        max: type === "number" ? "1" : null, value: f[key] }))),
    h("button", { type: "submit", class: "primary" }, "Apply"));
  }

  async function save(e) {
    e.preventDefault();
    const body = {};
    for (const [key, , type] of KNOBS) {
      const value = faults.elements[key].value.trim();
      body[key] = type === "number" ? Number(value || 0) : value || "0";
    }
    try {
      await api.put("/__admin/webhooks/faults", body);
      toast("Faults applied to new deliveries.", true);
      loadFaults();
    } catch (err) { toast(err.message); }
  }

  async function refresh() {
    try {
      const all = await api.get("/__admin/webhooks");
      replace(list, all.length ? all.reverse().map((d) => h("section", { class: "panel" },
        h("p", {}, h("a", { href: `#/jobs/${encodeURIComponent(d.job_id)}`, class: "mono" }, `job ${d.job_id}`)),
        delivery(d, async () => {
          try { await api.post(`/__admin/webhooks/${encodeURIComponent(d.delivery_id)}/redeliver`); refresh(); }
          catch (err) { toast(err.message); }
        })))
        : h("p", { class: "muted" }, "No webhook sent yet: create a job with a webhook_url."));
    } catch (err) { replace(list, h("p", { class: "error" }, err.message)); }
  }

  loadFaults().catch((err) => toast(err.message));
  refresh();
  return { refresh, wants: (e) => e.kind.startsWith("webhook.") || e.kind === "state.reset" };
}
