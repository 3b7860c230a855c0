import { describe, expect, it } from "vitest";
import type { AttributoType } from "../api/types";
import { describeType, draftOf, emptyDraft, typeOfDraft } from "./attributoTypeDraft";

describe("the attributo type form", () => {
  it("builds every kind's type and reads it back", () => {
    const types: AttributoType[] = [
      { kind: "integer", minimum: 1, maximum: null },
      { kind: "decimal", unit: "mm", minimum: 0, maximum: 500, exclusive_minimum: true, exclusive_maximum: false, tolerance: 0.5, tolerance_is_absolute: true },
      { kind: "string", max_length: 20 },
      { kind: "choice", choices: ["a", "b"] },
      { kind: "list", item_kind: "integer", min_items: 1, max_items: 3 },
      { kind: "boolean" },
      { kind: "datetime" },
      { kind: "chemical" },
    ];
    for (const type of types) expect(typeOfDraft(draftOf(type))).toEqual({ ok: true, type });
  });

  it("names the field that is wrong", () => {
    expect(typeOfDraft({ ...emptyDraft("integer"), minimum: "1.5" })).toMatchObject({ ok: false, field: "minimum" });
    expect(typeOfDraft({ ...emptyDraft("decimal"), minimum: "5", maximum: "1" })).toMatchObject({ ok: false, field: "maximum" });
    expect(typeOfDraft({ ...emptyDraft("choice"), choices: " , " })).toMatchObject({ ok: false, field: "choices" });
    expect(typeOfDraft({ ...emptyDraft("list"), minItems: "-1" })).toMatchObject({ ok: false, field: "minItems" });
  });

  it("drops blank and repeated choices and accepts a decimal comma", () => {
    expect(typeOfDraft({ ...emptyDraft("choice"), choices: "ok, bad,ok,, " })).toEqual({ ok: true, type: { kind: "choice", choices: ["ok", "bad"] } });
    const decimal = typeOfDraft({ ...emptyDraft("decimal"), maximum: "2,5" });
    expect(decimal.ok && decimal.type.kind === "decimal" && decimal.type.maximum).toBe(2.5);
  });

  it("describes types in one line", () => {
    expect(describeType({ kind: "decimal", unit: "mm", minimum: 0, maximum: null, exclusive_minimum: false, exclusive_maximum: false, tolerance: null, tolerance_is_absolute: false })).toBe("decimal in mm, 0 – …");
  });
});
