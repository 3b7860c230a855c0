import { describeConflict } from "../api/runEdits";
import type { Run, RunPatch } from "../api/types";

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Shown when an edit was refused because the run changed after it was loaded (HTTP 412):
 * what the edit wanted, what the run held before, and what it holds now, so the person
 * decides instead of one edit silently replacing another.
 */
export function ConflictView({ base, current, patch, onOverwrite, onDiscard }: { base: Run; current: Run; patch: RunPatch; onOverwrite(): void; onDiscard(): void }) {
  const differences = describeConflict(base, current, patch);
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-labelledby="conflict-title">
        <h2 id="conflict-title">Run {current.number} changed while you were editing</h2>
        <p>
          Your edit was made on version {base.version}; the run is now at version {current.version}. Nothing was saved.
        </p>
        <table className="grid">
          <thead>
            <tr>
              <th>Field</th>
              <th>When you loaded it</th>
              <th>Now</th>
              <th>Your edit</th>
            </tr>
          </thead>
          <tbody>
            {differences.map((difference) => (
              <tr key={difference.field} className={difference.clash ? "clash" : undefined}>
                <td>{difference.field}</td>
                <td>{show(difference.base)}</td>
                <td>{show(difference.current)}</td>
                <td>{difference.mine === undefined ? "" : show(difference.mine)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <button type="button" onClick={onOverwrite}>
            Save my edit over the current run
          </button>
          <button type="button" className="secondary" onClick={onDiscard}>
            Keep the current run
          </button>
        </div>
      </div>
    </div>
  );
}
