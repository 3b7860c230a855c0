import { describe, expect, it } from "vitest";
import { dayOf, daysBetween, formatDuration, fromLocalInput, toLocalInput } from "./time";

describe("times in a beamtime's zone", () => {
  it("convert wall-clock input to UTC and back, across daylight saving", () => {
    expect(fromLocalInput("2026-07-01T12:00", "Europe/Berlin")).toBe("2026-07-01T10:00:00.000Z");
    expect(fromLocalInput("2026-12-01T12:00:30", "Europe/Berlin")).toBe("2026-12-01T11:00:30.000Z");
    expect(toLocalInput("2026-03-29T01:30:00Z", "Europe/Berlin")).toBe("2026-03-29T03:30:00");
    expect(fromLocalInput("not a time", "UTC")).toBeNull();
  });

  it("bucket instants into the zone's days", () => {
    expect(dayOf("2026-11-22T23:30:00Z", "Europe/Berlin")).toBe("2026-11-23");
    expect(daysBetween("2026-11-20T08:00:00Z", "2026-11-22T22:00:00Z", "UTC")).toEqual(["2026-11-20", "2026-11-21", "2026-11-22"]);
  });

  it("format durations", () => {
    expect(formatDuration(3723_000)).toBe("1:02:03");
    expect(formatDuration(90000_000)).toBe("1 d 1:00:00");
    expect(formatDuration(-5)).toBe("0:00:00");
  });
});
