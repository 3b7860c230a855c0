// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest";
import { arrangeColumns, loadColumnPrefs, moveColumn, saveColumnPrefs, storageKey } from "./columnPrefs";

describe("column preferences", () => {
  beforeEach(() => localStorage.clear());

  it("are remembered per beamtime", () => {
    saveColumnPrefs(1, { order: ["b", "a"], hidden: ["c"] });
    expect(loadColumnPrefs(1)).toEqual({ order: ["b", "a"], hidden: ["c"] });
    expect(loadColumnPrefs(2)).toEqual({ order: [], hidden: [] });
  });

  it("survive garbage in storage", () => {
    localStorage.setItem(storageKey(1), "{not json");
    expect(loadColumnPrefs(1)).toEqual({ order: [], hidden: [] });
    localStorage.setItem(storageKey(1), JSON.stringify({ order: "a", hidden: [1] }));
    expect(loadColumnPrefs(1)).toEqual({ order: [], hidden: [] });
  });

  it("keep the remembered order, drop vanished columns and append new ones visibly", () => {
    const arranged = arrangeColumns(["a", "b", "c", "new"], { order: ["c", "gone", "a", "b"], hidden: ["a"] });
    expect(arranged.order).toEqual(["c", "a", "b", "new"]);
    expect(arranged.visible).toEqual(["c", "b", "new"]);
  });

  it("move a column and clamp at the ends", () => {
    expect(moveColumn(["a", "b", "c"], "c", -1)).toEqual(["a", "c", "b"]);
    expect(moveColumn(["a", "b", "c"], "a", -1)).toEqual(["a", "b", "c"]);
    expect(moveColumn(["a", "b", "c"], "a", 5)).toEqual(["b", "c", "a"]);
  });
});
