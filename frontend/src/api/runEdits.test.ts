import { describe, expect, it } from "vitest";
import type { Run } from "./types";
import { describeConflict } from "./runEdits";

const base: Run = {
  number: 7,
  started: "2026-11-22T10:00:00Z",
  stopped: null,
  experiment_type_id: null,
  attributi: { sample: "lyso", distance: 100 },
  data_paths: [],
  version: 3,
  created_at: "2026-11-22T10:00:00Z",
  updated_at: "2026-11-22T10:00:00Z",
};

describe("describeConflict", () => {
  it("shows the clash on the edited field and what else changed", () => {
    const current: Run = { ...base, version: 5, stopped: "2026-11-22T11:00:00Z", attributi: { sample: "thaumatin", distance: 100, comment: "x" } };
    const differences = describeConflict(base, current, { attributi: { sample: "insulin" } });
    expect(differences).toEqual([
      { field: "comment", base: undefined, current: "x", mine: undefined, clash: false },
      { field: "sample", base: "lyso", current: "thaumatin", mine: "insulin", clash: true },
      { field: "stopped", base: null, current: "2026-11-22T11:00:00Z", mine: undefined, clash: false },
    ]);
  });

  it("lists an edited field that nobody else touched without a clash", () => {
    const current: Run = { ...base, version: 4, attributi: { ...base.attributi, comment: "y" } };
    const differences = describeConflict(base, current, { attributi: { distance: 120 } });
    expect(differences.find((d) => d.field === "distance")).toEqual({ field: "distance", base: 100, current: 100, mine: 120, clash: false });
  });
});
