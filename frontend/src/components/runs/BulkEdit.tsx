import { useState, type FormEvent } from "react";
import { fetchClient } from "../../api/client";
import type { Attributo, ExperimentType } from "../../api/types";
import { parseValue, type ParseContext } from "../../lib/attributoValues";
import { toRanges } from "../../lib/runRanges";
import { ProblemView } from "../ProblemView";
import { ValueField } from "../ValueField";

interface Props {
  bt: number;
  selected: ReadonlySet<number>;
  attributi: readonly Attributo[];
  experimentTypes: readonly ExperimentType[];
  context: ParseContext;
  onClear(): void;
}

/** What the form sets: the experiment type, or an attributo by id. */
type Target = "experiment_type" | number;
const EXPERIMENT_TYPE = "experiment_type";
const NO_TYPE = "";

/** One value for many runs at once: `PATCH /runs` with the selection as ranges, one transaction. */
export function BulkEdit({ bt, selected, attributi, experimentTypes, context, onClear }: Props) {
  const [target, setTarget] = useState<Target | null>(attributi[0]?.id ?? EXPERIMENT_TYPE);
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const attributo = typeof target === "number" ? (attributi.find((candidate) => candidate.id === target) ?? null) : null;
  const ranges = toRanges(selected);

  const edit = (): Record<string, unknown> | null => {
    if (target === EXPERIMENT_TYPE) return { experiment_type_id: text === NO_TYPE ? null : Number(text) };
    if (!attributo) return null;
    const parsed = parseValue(text, attributo.type, context);
    if (!parsed.ok) {
      setError(new Error(`${attributo.name}: ${parsed.message}`));
      return null;
    }
    return { attributi: { [attributo.name]: parsed.value } };
  };

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    const body = edit();
    if (!body) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const { data } = await fetchClient.PATCH("/api/beamtimes/{bt}/runs", {
        params: { path: { bt } },
        body: { runs: ranges, ...body },
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
          value={target ?? ""}
          onChange={(event) => {
            const value = event.target.value;
            setTarget(value === EXPERIMENT_TYPE ? EXPERIMENT_TYPE : Number(value));
            setText("");
            setResult(null);
          }}
        >
          <option value={EXPERIMENT_TYPE}>experiment type</option>
          {attributi.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        to
        {target === EXPERIMENT_TYPE ? (
          <select value={text} onChange={(event) => setText(event.target.value)} aria-label="New experiment type">
            <option value={NO_TYPE}>none</option>
            {experimentTypes.map((type) => (
              <option key={type.id} value={type.id}>
                {type.name}
              </option>
            ))}
          </select>
        ) : (
          attributo && <ValueField type={attributo.type} text={text} context={context} label="New value" onChange={setText} />
        )}
      </label>
      <button type="submit" disabled={busy || target === null}>
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
