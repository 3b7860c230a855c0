import type { AttributoType } from "../api/types";
import { formatDateTime, fromLocalInput, toLocalInput } from "./time";

/**
 * Turning typed text into attributo values and back. The server validates every value again;
 * checking here as well lets the editor explain a mistake before anything is sent.
 */
export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (message: string): Parsed => ({ ok: false, message });

export interface ParseContext {
  timeZone: string;
  /** Chemical names by id, for `chemical` attributi. */
  chemicals?: ReadonlyMap<number, string>;
}

type Kind<K extends AttributoType["kind"]> = Extract<AttributoType, { kind: K }>;
type ItemKind = Kind<"list">["item_kind"];

function parseNumber(text: string): number | null {
  const trimmed = text.trim().replace(/,/g, ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

function checkRange(
  value: number,
  minimum: number | null | undefined,
  maximum: number | null | undefined,
  exclusiveMinimum = false,
  exclusiveMaximum = false,
): string | null {
  if (minimum !== null && minimum !== undefined) {
    if (exclusiveMinimum && value <= minimum) return `must be greater than ${minimum}`;
    if (!exclusiveMinimum && value < minimum) return `must be at least ${minimum}`;
  }
  if (maximum !== null && maximum !== undefined) {
    if (exclusiveMaximum && value >= maximum) return `must be less than ${maximum}`;
    if (!exclusiveMaximum && value > maximum) return `must be at most ${maximum}`;
  }
  return null;
}

function parseInteger(text: string, type?: Kind<"integer">): Parsed {
  const value = parseNumber(text);
  if (value === null || !Number.isInteger(value)) return fail(`“${text.trim()}” is not a whole number`);
  if (!Number.isSafeInteger(value)) return fail(`${text.trim()} is too large`);
  const problem = type ? checkRange(value, type.minimum, type.maximum) : null;
  return problem ? fail(problem) : ok(value);
}

function parseDecimal(text: string, type?: Kind<"decimal">): Parsed {
  const value = parseNumber(text);
  if (value === null) return fail(`“${text.trim()}” is not a number`);
  const problem = type
    ? checkRange(value, type.minimum, type.maximum, type.exclusive_minimum, type.exclusive_maximum)
    : null;
  return problem ? fail(problem) : ok(value);
}

const TRUE_WORDS = new Set(["true", "yes", "y", "1", "on"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "off"]);

function parseBoolean(text: string): Parsed {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail(`“${text.trim()}” is neither yes nor no`);
}

function parseItem(text: string, kind: ItemKind): Parsed {
  switch (kind) {
    case "integer":
      return parseInteger(text);
    case "decimal":
      return parseDecimal(text);
    case "boolean":
      return parseBoolean(text);
    case "string":
      return ok(text.trim());
  }
}

function parseList(text: string, type: Kind<"list">): Parsed {
  const parts = text.trim() === "" ? [] : text.split(",");
  const values: unknown[] = [];
  for (const [index, part] of parts.entries()) {
    const item = parseItem(part, type.item_kind);
    if (!item.ok) return fail(`item ${index + 1}: ${item.message}`);
    values.push(item.value);
  }
  if (type.min_items !== null && values.length < type.min_items) {
    return fail(`needs at least ${type.min_items} items, has ${values.length}`);
  }
  if (type.max_items !== null && values.length > type.max_items) {
    return fail(`takes at most ${type.max_items} items, has ${values.length}`);
  }
  return ok(values);
}

function parseChemical(text: string, context: ParseContext): Parsed {
  const wanted = text.trim();
  for (const [id, name] of context.chemicals ?? []) {
    if (name === wanted || String(id) === wanted) return ok(id);
  }
  return fail(`there is no chemical “${wanted}”`);
}

/**
 * The value that `text` means for an attributo of `type`; empty text means "clear the value"
 * (null), which every kind accepts.
 */
export function parseValue(text: string, type: AttributoType, context: ParseContext): Parsed {
  if (text.trim() === "" && type.kind !== "list") return ok(null);
  switch (type.kind) {
    case "integer":
      return parseInteger(text, type);
    case "decimal":
      return parseDecimal(text, type);
    case "string":
      if (type.max_length !== null && text.length > type.max_length) {
        return fail(`${text.length} characters, at most ${type.max_length} allowed`);
      }
      return ok(text);
    case "boolean":
      return parseBoolean(text);
    case "datetime": {
      const iso = fromLocalInput(text, context.timeZone);
      return iso ? ok(iso) : fail(`“${text.trim()}” is not a date and time (YYYY-MM-DD HH:MM)`);
    }
    case "choice":
      return type.choices.includes(text) ? ok(text) : fail(`choose one of ${type.choices.join(", ")}`);
    case "list":
      return parseList(text, type);
    case "chemical":
      return parseChemical(text, context);
  }
}

function formatNumber(value: number): string {
  // Enough digits for measured values without the float noise of 0.1 + 0.2.
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

/** The text an editor starts from: parseValue(editText(v)) gives v back. */
export function editText(value: unknown, type: AttributoType, context: ParseContext): string {
  if (value === null || value === undefined) return "";
  switch (type.kind) {
    case "datetime":
      return toLocalInput(String(value), context.timeZone);
    case "boolean":
      return value ? "yes" : "no";
    case "list":
      return Array.isArray(value) ? value.map((item) => (typeof item === "boolean" ? (item ? "yes" : "no") : String(item))).join(", ") : String(value);
    case "chemical":
      return context.chemicals?.get(Number(value)) ?? String(value);
    case "decimal":
      return typeof value === "number" ? formatNumber(value) : String(value);
    default:
      return String(value);
  }
}

/** How a value reads in a table cell. */
export function displayValue(value: unknown, type: AttributoType, context: ParseContext): string {
  if (value === null || value === undefined) return "";
  switch (type.kind) {
    case "decimal": {
      const number = typeof value === "number" ? formatNumber(value) : String(value);
      return type.unit ? `${number} ${type.unit}` : number;
    }
    case "datetime":
      return formatDateTime(String(value), context.timeZone);
    case "boolean":
      return value ? "yes" : "no";
    default:
      return editText(value, type, context);
  }
}

/** Short description of what a kind accepts, shown as the editor's placeholder. */
export function typeHint(type: AttributoType): string {
  switch (type.kind) {
    case "integer":
      return "whole number";
    case "decimal":
      return type.unit ? `number in ${type.unit}` : "number";
    case "string":
      return "text";
    case "boolean":
      return "yes / no";
    case "datetime":
      return "YYYY-MM-DD HH:MM";
    case "choice":
      return type.choices.join(" / ");
    case "list":
      return `${type.item_kind} values, separated by commas`;
    case "chemical":
      return "chemical";
  }
}
