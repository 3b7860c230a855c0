import { describe, expect, it } from "vitest";
import type { AttributoType } from "../api/types";
import { displayValue, editText, parseValue } from "./attributoValues";

const context = { timeZone: "Europe/Berlin", chemicals: new Map([[7, "lysozyme"]]) };
const decimal: AttributoType = {
  kind: "decimal",
  unit: "mm",
  minimum: 0,
  maximum: 500,
  exclusive_minimum: true,
  exclusive_maximum: false,
  tolerance: null,
  tolerance_is_absolute: false,
};

describe("parseValue", () => {
  it("reads integers and enforces their range", () => {
    const type: AttributoType = { kind: "integer", minimum: 1, maximum: 10 };
    expect(parseValue(" 7 ", type, context)).toEqual({ ok: true, value: 7 });
    expect(parseValue("0", type, context)).toEqual({ ok: false, message: "must be at least 1" });
    expect(parseValue("11", type, context)).toEqual({ ok: false, message: "must be at most 10" });
    expect(parseValue("2.5", type, context).ok).toBe(false);
    expect(parseValue("seven", type, context)).toEqual({ ok: false, message: "“seven” is not a whole number" });
  });

  it("reads decimals with a comma or exponent and honours exclusive bounds", () => {
    expect(parseValue("120,5", decimal, context)).toEqual({ ok: true, value: 120.5 });
    expect(parseValue("1e2", decimal, context)).toEqual({ ok: true, value: 100 });
    expect(parseValue("0", decimal, context)).toEqual({ ok: false, message: "must be greater than 0" });
    expect(parseValue("500", decimal, context)).toEqual({ ok: true, value: 500 });
    expect(parseValue("Infinity", decimal, context).ok).toBe(false);
  });

  it("treats empty text as clearing the value", () => {
    expect(parseValue("  ", decimal, context)).toEqual({ ok: true, value: null });
    expect(parseValue("", { kind: "boolean" }, context)).toEqual({ ok: true, value: null });
  });

  it("checks string length, choices and booleans", () => {
    expect(parseValue("abcd", { kind: "string", max_length: 3 }, context)).toEqual({ ok: false, message: "4 characters, at most 3 allowed" });
    expect(parseValue("ok", { kind: "choice", choices: ["ok", "bad"] }, context)).toEqual({ ok: true, value: "ok" });
    expect(parseValue("meh", { kind: "choice", choices: ["ok", "bad"] }, context)).toEqual({ ok: false, message: "choose one of ok, bad" });
    expect(parseValue("Yes", { kind: "boolean" }, context)).toEqual({ ok: true, value: true });
    expect(parseValue("off", { kind: "boolean" }, context)).toEqual({ ok: true, value: false });
    expect(parseValue("maybe", { kind: "boolean" }, context).ok).toBe(false);
  });

  it("reads lists item by item and counts them", () => {
    const type: AttributoType = { kind: "list", item_kind: "decimal", min_items: 2, max_items: 3 };
    expect(parseValue("1, 2.5", type, context)).toEqual({ ok: true, value: [1, 2.5] });
    expect(parseValue("1", type, context)).toEqual({ ok: false, message: "needs at least 2 items, has 1" });
    expect(parseValue("1, x", type, context)).toEqual({ ok: false, message: "item 2: “x” is not a number" });
  });

  it("reads wall-clock times in the beamtime's zone", () => {
    expect(parseValue("2026-11-22T15:03", { kind: "datetime" }, context)).toEqual({ ok: true, value: "2026-11-22T14:03:00.000Z" });
    expect(parseValue("yesterday", { kind: "datetime" }, context).ok).toBe(false);
  });

  it("finds chemicals by name or id", () => {
    expect(parseValue("lysozyme", { kind: "chemical" }, context)).toEqual({ ok: true, value: 7 });
    expect(parseValue("7", { kind: "chemical" }, context)).toEqual({ ok: true, value: 7 });
    expect(parseValue("water", { kind: "chemical" }, context)).toEqual({ ok: false, message: "there is no chemical “water”" });
  });
});

describe("editText and displayValue", () => {
  it("round-trip through parseValue", () => {
    const cases: [AttributoType, unknown][] = [
      [decimal, 0.1 + 0.2],
      [{ kind: "boolean" }, false],
      [{ kind: "list", item_kind: "boolean", min_items: null, max_items: null }, [true, false]],
      [{ kind: "datetime" }, "2026-11-22T14:03:05.000Z"],
      [{ kind: "chemical" }, 7],
    ];
    for (const [type, value] of cases) {
      const parsed = parseValue(editText(value, type, context), type, context);
      expect(parsed.ok && parsed.value).toEqual(type.kind === "decimal" ? 0.3 : value);
    }
  });

  it("shows units, names and local times", () => {
    expect(displayValue(120.5, decimal, context)).toBe("120.5 mm");
    expect(displayValue(7, { kind: "chemical" }, context)).toBe("lysozyme");
    expect(displayValue("2026-11-22T14:03:05Z", { kind: "datetime" }, context)).toBe("2026-11-22 15:03:05");
    expect(displayValue(undefined, decimal, context)).toBe("");
  });
});
