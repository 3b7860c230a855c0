import { describe, expect, it } from "vitest";
import type { Run, RunPage } from "../api/types";
import { compareRuns, patchRunPage } from "./runCache";

function run(number: number, attributi: Run["attributi"] = {}, version = 1): Run {
  return {
    number,
    started: `2026-11-22T10:${String(number).padStart(2, "0")}:00Z`,
    stopped: null,
    experiment_type_id: null,
    attributi,
    data_paths: [],
    version,
    created_at: "2026-11-22T10:00:00Z",
    updated_at: "2026-11-22T10:00:00Z",
  };
}

const page = (...runs: Run[]): RunPage => ({ items: runs, total: runs.length, next_cursor: null });
const numbers = (result: RunPage) => result.items.map((item) => item.number);

describe("patchRunPage", () => {
  it("replaces a changed run in place", () => {
    const result = patchRunPage(page(run(3), run(2), run(1)), [run(2, { sample: "x" }, 2)], [], "-number");
    expect(numbers(result)).toEqual([3, 2, 1]);
    expect(result.items[1]?.attributi).toEqual({ sample: "x" });
    expect(result.total).toBe(3);
  });

  it("puts a new run where the sort says and counts it", () => {
    const result = patchRunPage(page(run(3), run(1)), [run(4), run(2)], [], "-number");
    expect(numbers(result)).toEqual([4, 3, 2, 1]);
    expect(result.total).toBe(4);
  });

  it("moves a run whose sorted value changed, unset values last in both directions", () => {
    const listing = page(run(1, { d: 1 }), run(2, { d: 2 }), run(3));
    expect(numbers(patchRunPage(listing, [run(1, { d: 5 })], [], "d"))).toEqual([2, 1, 3]);
    expect(numbers(patchRunPage(page(run(2, { d: 2 }), run(1, { d: 1 }), run(3)), [run(1, { d: 5 })], [], "-d"))).toEqual([1, 2, 3]);
  });

  it("drops gone runs and leaves an untouched page as it is", () => {
    const listing = page(run(2), run(1));
    expect(numbers(patchRunPage(listing, [], [2], "-number"))).toEqual([1]);
    expect(patchRunPage(listing, [], [9], "-number")).toBe(listing);
  });

  it("compares timestamps as instants", () => {
    const a = { ...run(1), started: "2026-11-22T10:00:00+02:00" };
    const b = { ...run(2), started: "2026-11-22T09:00:00Z" };
    expect(compareRuns("started")(a, b)).toBeLessThan(0);
  });
});
