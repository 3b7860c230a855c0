import { describe, expect, it } from "vitest";
import type { Change } from "../api/types";
import { mergeActions, planChange } from "./changePlan";

function change(entity: string, action: Change["action"], entity_id = 1): Change {
  return { seq: 1, at: "2026-11-22T10:00:00Z", actor: "alice", entity, entity_id, action, before: null, after: null };
}

describe("planChange", () => {
  it("re-fetches a changed run instead of the table", () => {
    const actions = planChange(change("run", "updated", 37));
    expect(actions[0]).toEqual({ kind: "refresh-runs", numbers: [37] });
    expect(actions).toContainEqual({ kind: "invalidate", paths: ["/api/beamtimes/{bt}/overview", "/api/beamtimes/{bt}/data-sets"] });
  });

  it("removes a deleted run", () => {
    expect(planChange(change("run", "deleted", 5))[0]).toEqual({ kind: "remove-runs", numbers: [5] });
  });

  it("reloads the runs when an attributo is renamed or retyped, not when one is added", () => {
    const created = planChange(change("attributo", "created"));
    const updated = planChange(change("attributo", "updated"));
    expect(JSON.stringify(created)).not.toContain("/api/beamtimes/{bt}/runs");
    expect(updated[0]).toMatchObject({ kind: "invalidate" });
    expect((updated[0] as { paths: string[] }).paths).toContain("/api/beamtimes/{bt}/runs");
  });

  it("marks small resources stale and reloads everything for unknown entities", () => {
    expect(planChange(change("event", "created"))).toEqual([
      { kind: "invalidate", paths: ["/api/beamtimes/{bt}/events", "/api/beamtimes/{bt}/events/{event_id}", "/api/beamtimes/{bt}/overview"] },
    ]);
    expect(planChange(change("something-new", "created"))).toEqual([{ kind: "invalidate-all" }]);
  });
});

describe("mergeActions", () => {
  it("folds a burst into one fetch, one removal and each path once", () => {
    const burst = [1, 2, 3, 2].flatMap((number) => planChange(change("run", "updated", number)));
    burst.push(...planChange(change("run", "deleted", 3)));
    expect(mergeActions(burst)).toEqual([
      { kind: "refresh-runs", numbers: [1, 2] },
      { kind: "remove-runs", numbers: [3] },
      { kind: "invalidate", paths: ["/api/beamtimes/{bt}/overview", "/api/beamtimes/{bt}/data-sets"] },
    ]);
  });

  it("lets a full reload absorb everything else", () => {
    expect(mergeActions([...planChange(change("run", "updated")), { kind: "invalidate-all" }])).toEqual([{ kind: "invalidate-all" }]);
  });
});
