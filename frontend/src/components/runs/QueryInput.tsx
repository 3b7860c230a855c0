import { useEffect, useState } from "react";
import type { QueryMistake } from "../../lib/filterError";

interface Props {
  label: string;
  value: string;
  placeholder: string;
  mistake: QueryMistake | null;
  onApply(value: string): void;
  wide?: boolean;
}

/**
 * A text box for a listing parameter (the filter expression, run ranges) that is applied on
 * Enter. When the server refuses the text, its message is shown under the box and the
 * position it names is marked in a copy of the text.
 */
export function QueryInput({ label, value, placeholder, mistake, onApply, wide }: Props) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const position = mistake?.position ?? null;
  return (
    <div className={wide ? "query-input wide" : "query-input"}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onApply(draft.trim());
        }}
      >
        <label>
          <span>{label}</span>
          <input
            value={draft}
            placeholder={placeholder}
            aria-label={label}
            aria-invalid={mistake !== null}
            spellCheck={false}
            onChange={(event) => setDraft(event.target.value)}
          />
        </label>
        {draft !== value && <button type="submit">Apply</button>}
        {value !== "" && (
          <button type="button" className="secondary" onClick={() => onApply("")}>
            Clear
          </button>
        )}
      </form>
      {mistake && (
        <div className="query-mistake" role="alert">
          {position !== null && (
            <code className="query-echo" aria-label={`position ${position}`}>
              {value.slice(0, position)}
              <mark>{value.slice(position, position + 1) || " "}</mark>
              {value.slice(position + 1)}
            </code>
          )}
          <span>{mistake.message}</span>
        </div>
      )}
    </div>
  );
}
