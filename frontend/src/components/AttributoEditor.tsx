import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { AttributoType } from "../api/types";
import { editText, parseValue, typeHint, type ParseContext } from "../lib/attributoValues";

interface Props {
  type: AttributoType;
  value: unknown;
  context: ParseContext;
  /** Resolves when saved; a rejection's message stays under the editor. */
  onCommit(value: unknown): Promise<void>;
  onCancel(): void;
  autoFocus?: boolean;
  label?: string;
}

/**
 * The editor of one attributo value, chosen by its kind: a list to pick from for booleans,
 * choices and chemicals, a date-time field for times, text otherwise. Enter or leaving the
 * field saves, Escape cancels; the value is checked before it is sent, and the server's
 * verdict (422) is shown in the same place.
 */
export function AttributoEditor({ type, value, context, onCommit, onCancel, autoFocus = true, label }: Props) {
  const initial = editText(value, type, context);
  const [text, setText] = useState(initial);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const settled = useRef(false);
  const field = useRef<HTMLInputElement & HTMLSelectElement>(null);

  useEffect(() => {
    const element: HTMLElement | null = field.current;
    if (!autoFocus || !element) return;
    element.focus();
    // Typing replaces the old value, as in a spreadsheet cell.
    if (element instanceof HTMLInputElement && element.type === "text") element.select();
  }, [autoFocus]);

  const commit = async (raw: string) => {
    if (settled.current || busy) return;
    if (raw === initial) {
      settled.current = true;
      onCancel();
      return;
    }
    const parsed = parseValue(raw, type, context);
    if (!parsed.ok) {
      setMessage(parsed.message);
      return;
    }
    setBusy(true);
    try {
      settled.current = true;
      await onCommit(parsed.value);
    } catch (error) {
      settled.current = false;
      setMessage(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      void commit(text);
    } else if (event.key === "Escape") {
      event.preventDefault();
      settled.current = true;
      onCancel();
    }
  };

  const common = {
    ref: field,
    "aria-label": label ?? "value",
    "aria-invalid": message !== null,
    disabled: busy,
    onKeyDown,
    onBlur: () => void commit(text),
  };

  const options = optionsFor(type, context);
  return (
    <span className="editor">
      {options ? (
        <select
          {...common}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setMessage(null);
            // Picking from a list is a decision already: save without another keystroke.
            void commit(event.target.value);
          }}
        >
          <option value="">—</option>
          {options.map(([optionValue, optionLabel]) => (
            <option key={optionValue} value={optionValue}>
              {optionLabel}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type={type.kind === "datetime" ? "datetime-local" : "text"}
          step={type.kind === "datetime" ? 1 : undefined}
          value={text}
          placeholder={typeHint(type)}
          onChange={(event) => {
            setText(event.target.value);
            setMessage(null);
          }}
        />
      )}
      {message && (
        <span className="field-error" role="alert">
          {message}
        </span>
      )}
    </span>
  );
}

function optionsFor(type: AttributoType, context: ParseContext): [string, string][] | null {
  switch (type.kind) {
    case "boolean":
      return [
        ["yes", "yes"],
        ["no", "no"],
      ];
    case "choice":
      return type.choices.map((choice) => [choice, choice]);
    case "chemical":
      return [...(context.chemicals ?? new Map<number, string>())].map(([, name]) => [name, name]);
    default:
      return null;
  }
}
