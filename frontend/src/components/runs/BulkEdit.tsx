import { useState, type FormEvent } from "react";
import { fetchClient } from "../../api/client";
import type { Attributo } from "../../api/types";
import { parseValue, type ParseContext } from "../../lib/attributoValues";
import { toRanges } from "../../lib/runRanges";
import { ProblemView } from "../ProblemView";
import { ValueField } from "../ValueField";

interface Props {
  bt: number;
  selected: ReadonlySet<number>;
  attributi: readonly Attributo[];
  context: ParseContext;
  onClear(): void;
}

/** One value for many runs at once: `PATCH /runs` with the selection as ranges, one transaction. */
export function BulkEdit({ bt, selected, attributi, context, onClear }: Props) {
  const [attributoId, setAttributoId] = useState<number | null>(attributi[0]?.id ?? null);
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const attributo = attributi.find((candidate) => candidate.id === attributoId) ?? null;
  const ranges = toRanges(selected);

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    if (!attributo) return;
    const parsed = parseValue(text, attributo.type, context);
    if (!parsed.ok) {
      setError(new Error(`${attributo.name}: ${parsed.message}`));
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const { data } = await fetchClient.PATCH("/api/beamtimes/{bt}/runs", {
        params: { path: { bt } },
        body: { runs: ranges, attributi: { [attributo.name]: parsed.value } },
      });
      if (data) setResult(`${data.changed} of ${data.updated} runs changed.`);
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="bulk-edit" onSubmit={apply} aria-label="Edit selected runs">
      <strong>
        {selected.size} run{selected.size === 1 ? "" : "s"} selected
      </strong>{" "}
      <span className="muted">({ranges})</span>
      <label>
        Set
        <select
          value={attributoId ?? ""}
          onChange={(event) => {
            setAttributoId(Number(event.target.value));
            setText("");
          }}
        >
          {attributi.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        to
        {attributo && <ValueField type={attributo.type} text={text} context={context} label="New value" onChange={setText} />}
      </label>
      <button type="submit" disabled={busy || !attributo}>
        Apply to selection
      </button>
      <button type="button" className="secondary" onClick={onClear}>
        Clear selection
      </button>
      {result && <span className="ok">{result}</span>}
      <ProblemView error={error} />
    </form>
  );
}
