import type { AttributoKind, AttributoType } from "../api/types";

/** The attributo type form as typed: every field is text or a tick box. */
export interface TypeDraft {
  kind: AttributoKind;
  unit: string;
  minimum: string;
  maximum: string;
  exclusiveMinimum: boolean;
  exclusiveMaximum: boolean;
  tolerance: string;
  toleranceIsAbsolute: boolean;
  maxLength: string;
  choices: string;
  itemKind: "integer" | "decimal" | "string" | "boolean";
  minItems: string;
  maxItems: string;
}

export const KINDS: AttributoKind[] = ["decimal", "integer", "string", "boolean", "choice", "datetime", "list", "chemical"];

export function emptyDraft(kind: AttributoKind = "decimal"): TypeDraft {
  return {
    kind,
    unit: "",
    minimum: "",
    maximum: "",
    exclusiveMinimum: false,
    exclusiveMaximum: false,
    tolerance: "",
    toleranceIsAbsolute: false,
    maxLength: "",
    choices: "",
    itemKind: "decimal",
    minItems: "",
    maxItems: "",
  };
}

const text = (value: number | null | undefined) => (value === null || value === undefined ? "" : String(value));

export function draftOf(type: AttributoType): TypeDraft {
  const draft = emptyDraft(type.kind);
  switch (type.kind) {
    case "integer":
      return { ...draft, minimum: text(type.minimum), maximum: text(type.maximum) };
    case "decimal":
      return {
        ...draft,
        unit: type.unit ?? "",
        minimum: text(type.minimum),
        maximum: text(type.maximum),
        exclusiveMinimum: type.exclusive_minimum,
        exclusiveMaximum: type.exclusive_maximum,
        tolerance: text(type.tolerance),
        toleranceIsAbsolute: type.tolerance_is_absolute,
      };
    case "string":
      return { ...draft, maxLength: text(type.max_length) };
    case "choice":
      return { ...draft, choices: type.choices.join(", ") };
    case "list":
      return { ...draft, itemKind: type.item_kind, minItems: text(type.min_items), maxItems: text(type.max_items) };
    default:
      return draft;
  }
}

export type TypeResult = { ok: true; type: AttributoType } | { ok: false; field: keyof TypeDraft; message: string };

class DraftError extends Error {
  constructor(
    readonly field: keyof TypeDraft,
    message: string,
  ) {
    super(message);
  }
}

function number(draft: TypeDraft, field: "minimum" | "maximum" | "tolerance", integer = false): number | null {
  const raw = draft[field].trim().replace(",", ".");
  if (raw === "") return null;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new DraftError(field, `${field}: “${raw}” is not a number`);
  if (integer && !Number.isInteger(value)) throw new DraftError(field, `${field}: ${raw} is not a whole number`);
  return value;
}

function count(draft: TypeDraft, field: "maxLength" | "minItems" | "maxItems", label: string): number | null {
  const raw = draft[field].trim();
  if (raw === "") return null;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new DraftError(field, `${label} must be a whole number ≥ 0`);
  return value;
}

/** The API's type object for a draft, or the first field that is wrong with it. */
export function typeOfDraft(draft: TypeDraft): TypeResult {
  try {
    return { ok: true, type: build(draft) };
  } catch (error) {
    if (error instanceof DraftError) return { ok: false, field: error.field, message: error.message };
    throw error;
  }
}

function build(draft: TypeDraft): AttributoType {
  switch (draft.kind) {
    case "integer": {
      const minimum = number(draft, "minimum", true);
      const maximum = number(draft, "maximum", true);
      if (minimum !== null && maximum !== null && minimum > maximum) throw new DraftError("maximum", "the maximum is below the minimum");
      return { kind: "integer", minimum, maximum };
    }
    case "decimal": {
      const minimum = number(draft, "minimum");
      const maximum = number(draft, "maximum");
      if (minimum !== null && maximum !== null && minimum > maximum) throw new DraftError("maximum", "the maximum is below the minimum");
      const tolerance = number(draft, "tolerance");
      if (tolerance !== null && tolerance < 0) throw new DraftError("tolerance", "the tolerance cannot be negative");
      return {
        kind: "decimal",
        unit: draft.unit.trim() || null,
        minimum,
        maximum,
        exclusive_minimum: draft.exclusiveMinimum,
        exclusive_maximum: draft.exclusiveMaximum,
        tolerance,
        tolerance_is_absolute: draft.toleranceIsAbsolute,
      };
    }
    case "string":
      return { kind: "string", max_length: count(draft, "maxLength", "the maximum length") };
    case "choice": {
      const choices = [...new Set(draft.choices.split(",").map((choice) => choice.trim()).filter(Boolean))];
      if (choices.length === 0) throw new DraftError("choices", "name at least one choice (separated by commas)");
      return { kind: "choice", choices };
    }
    case "list": {
      const minItems = count(draft, "minItems", "the minimum number of items");
      const maxItems = count(draft, "maxItems", "the maximum number of items");
      if (minItems !== null && maxItems !== null && minItems > maxItems) throw new DraftError("maxItems", "the maximum is below the minimum");
      return { kind: "list", item_kind: draft.itemKind, min_items: minItems, max_items: maxItems };
    }
    case "boolean":
      return { kind: "boolean" };
    case "datetime":
      return { kind: "datetime" };
    case "chemical":
      return { kind: "chemical" };
  }
}

/** One line describing a type, for listings: "decimal in mm, 0 – 500". */
export function describeType(type: AttributoType): string {
  const range = (minimum: number | null, maximum: number | null) =>
    minimum === null && maximum === null ? "" : `, ${minimum ?? "…"} – ${maximum ?? "…"}`;
  switch (type.kind) {
    case "integer":
      return `integer${range(type.minimum, type.maximum)}`;
    case "decimal":
      return `decimal${type.unit ? ` in ${type.unit}` : ""}${range(type.minimum, type.maximum)}`;
    case "string":
      return type.max_length === null ? "text" : `text, at most ${type.max_length} characters`;
    case "choice":
      return `one of ${type.choices.join(", ")}`;
    case "list":
      return `list of ${type.item_kind} values`;
    default:
      return type.kind;
  }
}
