// Clock and state: timing mode and the mock's now; advance the clock; export and import the state; reset.
import * as api from "./api.js";
import { h, replace, toast, when } from "./dom.js";

export function mount(root) {
  const info = h("div", { class: "panel" }, h("p", { class: "muted" }, "Loading…"));
  const seconds = h("input", { type: "number", step: "any", min: "0", value: "1", id: "advance-seconds",
    "aria-label": "Seconds to advance" });
  const file = h("input", { type: "file", accept: "application/json,.json", "aria-label": "State file to import" });
  replace(root, h("h1", {}, "Clock & state"), info,
    h("section", { class: "panel" }, h("h2", {}, "Advance the clock"),
      h("p", { class: "muted" }, "Jobs due in the skipped time move at once (every timing mode)."),
      h("div", { class: "row" }, seconds, " s ",
        h("button", { class: "primary", id: "advance-clock", onclick: advance }, "Advance"),
        [1, 10, 60].map((s) => h("button", { onclick: () => advance(s) }, `+${s} s`)))),
    h("section", { class: "panel" }, h("h2", {}, "State"),
      h("div", { class: "row" },
        h("button", { onclick: exportState }, "Export (download JSON)"), file,
        h("button", { onclick: importState }, "Import"),
        h("button", { class: "danger", onclick: reset }, "Reset everything"))));

  async function refresh() {
    try {
      const health = await api.get("/__admin/health");
      const clock = await api.get("/__admin/clock");
      replace(info, h("dl", { class: "kv" },
        h("dt", {}, "Timing"), h("dd", { id: "timing" }, health.timing),
        h("dt", {}, "Mock's now"), h("dd", { id: "now" }, when(clock.now), " ", h("span", { class: "mono" }, clock.now)),
        h("dt", {}, "Jobs stored"), h("dd", {}, health.jobs),
        h("dt", {}, "Version"), h("dd", {}, health.version)));
    } catch (err) { replace(info, h("p", { class: "error" }, err.message)); }
  }

  async function advance(by) {
    const value = typeof by === "number" ? by : Number(seconds.value);
    try { await api.post("/__admin/clock/advance", { seconds: value }); refresh(); } catch (err) { toast(err.message); }
  }

  async function exportState() {
    try {
      const state = await api.get("/__admin/state");
      const url = URL.createObjectURL(new Blob([JSON.stringify(state, null, 2)], { type: "application/json" }));
      const a = h("a", { href: url, download: "creatify-mock-state.json" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) { toast(err.message); }
  }

  async function importState() {
    if (!file.files.length) { toast("Choose a state file first."); return; }
    try {
      const body = JSON.parse(await file.files[0].text());
      const result = await api.put("/__admin/state", body);
      toast(`Imported: ${JSON.stringify(result.imported)}`, true);
      refresh();
    } catch (err) { toast(err.message); }
  }

  async function reset() {
    if (!confirm("Forget every job, delivery and journal entry, and restore the startup rules?")) return;
    try { await api.post("/__admin/reset"); toast("Reset.", true); refresh(); } catch (err) { toast(err.message); }
  }

  refresh();
  return { refresh, wants: (e) => ["clock.moved", "state.reset", "job.created"].includes(e.kind) };
}
