import type { AttributoType } from "../api/types";
import { typeHint, type ParseContext } from "../lib/attributoValues";

/**
 * A form field for an attributo value, kept as text until the form is sent (then
 * `parseValue` turns it into the value): a list to pick from for yes/no, choices and
 * chemicals, a date-time field for times, plain text otherwise.
 */
export function ValueField({ type, text, context, label, onChange }: { type: AttributoType; text: string; context: ParseContext; label: string; onChange(text: string): void }) {
  const options = pickable(type, context);
  if (options) {
    return (
      <select aria-label={label} value={text} onChange={(event) => onChange(event.target.value)}>
        <option value="">—</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      aria-label={label}
      type={type.kind === "datetime" ? "datetime-local" : "text"}
      step={type.kind === "datetime" ? 1 : undefined}
      value={text}
      placeholder={typeHint(type)}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

function pickable(type: AttributoType, context: ParseContext): string[] | null {
  switch (type.kind) {
    case "boolean":
      return ["yes", "no"];
    case "choice":
      return type.choices;
    case "chemical":
      return [...(context.chemicals ?? new Map<number, string>()).values()];
    default:
      return null;
  }
}
