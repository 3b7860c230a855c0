import { describe, expect, it } from "vitest";
import { inRanges, toRanges } from "./runRanges";

describe("run ranges", () => {
  it("compress numbers the way the API writes them", () => {
    expect(toRanges([8, 1, 2, 3, 5, 4, 10, 12, 11, 3])).toBe("1-5,8,10-12");
    expect(toRanges([])).toBe("");
  });

  it("tell membership", () => {
    expect(inRanges("1-5,8", 4)).toBe(true);
    expect(inRanges("1-5,8", 8)).toBe(true);
    expect(inRanges("1-5,8", 6)).toBe(false);
    expect(inRanges("x,3", 3)).toBe(true);
  });
});
