import { useQuery } from "@tanstack/react-query";
import { fetchClient } from "../../api/client";
import type { Change } from "../../api/types";
import { formatDateTime } from "../../lib/time";
import { ProblemView } from "../ProblemView";

const PAGE = 1000;

/** The run's own changes (the feed filtered by entity on the server), newest first. */
async function runChanges(bt: number, number: number, signal: AbortSignal): Promise<Change[]> {
  const found: Change[] = [];
  let after = 0;
  for (;;) {
    const query = { after, limit: PAGE, entity: "run", entity_id: number };
    const { data } = await fetchClient.GET("/api/beamtimes/{bt}/changes", { params: { path: { bt }, query }, signal });
    if (!data) break;
    found.push(...data.items);
    if (data.items.length < PAGE || data.last_seq <= after) break;
    after = data.last_seq;
  }
  return found.reverse();
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Each changed field of a change as "field: before → after", attributi flattened. */
function fieldChanges(change: Change): { field: string; before: unknown; after: unknown }[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const rows: { field: string; before: unknown; after: unknown }[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[field];
    const now = after[field];
    if (field === "attributi" && typeof old === "object" && typeof now === "object") {
      const oldValues = (old ?? {}) as Record<string, unknown>;
      const newValues = (now ?? {}) as Record<string, unknown>;
      for (const name of new Set([...Object.keys(oldValues), ...Object.keys(newValues)])) {
        rows.push({ field: name, before: oldValues[name], after: newValues[name] });
      }
    } else {
      rows.push({ field, before: old, after: now });
    }
  }
  return rows;
}

/** `version` is the run's current one: a newer version (an edit arrived) reads the feed again. */
export function RunHistory({ bt, number, version, timeZone, onClose }: { bt: number; number: number; version: number | undefined; timeZone: string; onClose(): void }) {
  const history = useQuery({
    queryKey: ["run-history", bt, number, version],
    queryFn: ({ signal }) => runChanges(bt, number, signal),
  });
  return (
    <aside className="side-panel" aria-label={`History of run ${number}`}>
      <div className="page-head">
        <h2>History of run {number}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {history.error ? <ProblemView error={history.error} /> : null}
      {history.isPending && <p className="muted">Loading…</p>}
      {history.data?.length === 0 && <p className="muted">No recorded changes.</p>}
      <ol className="history">
        {history.data?.map((change) => (
          <li key={change.seq}>
            <div>
              <strong>{change.action}</strong> by {change.actor} at {formatDateTime(change.at, timeZone)}
            </div>
            {change.action === "updated" && (
              <ul>
                {fieldChanges(change).map((row) => (
                  <li key={row.field}>
                    <code>{row.field}</code>: {show(row.before)} → {show(row.after)}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </aside>
  );
}
