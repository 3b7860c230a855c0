import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { $api, fetchClient, ifMatch } from "../api/client";
import { forBeamtime } from "../api/keys";
import { useBeamtime, useChemicals } from "../api/queries";
import { ProblemView, QueryState } from "../components/ProblemView";
import { fromLocalInput, toLocalInput } from "../lib/time";

interface ShiftDraft {
  key: number;
  start: string;
  end: string;
  users: string;
  chemicals: string;
  comment: string;
}

let nextKey = 0;

/**
 * Who is on shift when, edited as a whole and saved in one `PUT`. Times are in the beamtime's
 * zone; the overview shows whoever's shift covers the present moment.
 */
export function SchedulePage({ bt }: { bt: number }) {
  const schedule = $api.useQuery("get", "/api/beamtimes/{bt}/schedule", { params: { path: { bt } } }, { staleTime: Infinity });
  const beamtime = useBeamtime(bt);
  const chemicals = useChemicals(bt);
  // The form starts afresh with each saved version, so the confirmation lives out here.
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  if (!beamtime.data || !chemicals.data) return <QueryState query={beamtime} what="the beamtime">{() => <p className="muted">Loading…</p>}</QueryState>;
  return (
    <QueryState query={schedule} what="the schedule">
      {(data) => (
        <ScheduleForm
          key={data.version}
          bt={bt}
          version={data.version}
          timeZone={beamtime.data.timezone}
          chemicals={chemicals.data.items.map((chemical) => ({ id: chemical.id, name: chemical.name }))}
          shifts={data.shifts}
          saved={savedVersion === data.version}
          onSaved={setSavedVersion}
        />
      )}
    </QueryState>
  );
}

function ScheduleForm({
  bt,
  version,
  timeZone,
  chemicals,
  shifts,
  saved,
  onSaved,
}: {
  bt: number;
  version: number;
  timeZone: string;
  chemicals: { id: number; name: string }[];
  shifts: { start: string; end: string; users: string[]; chemical_ids: number[]; comment: string }[];
  saved: boolean;
  onSaved(version: number): void;
}) {
  const client = useQueryClient();
  const nameOf = new Map(chemicals.map((chemical) => [chemical.id, chemical.name]));
  const idOf = new Map(chemicals.map((chemical) => [chemical.name, chemical.id]));
  const [rows, setRows] = useState<ShiftDraft[]>(() =>
    shifts.map((shift) => ({
      key: nextKey++,
      start: toLocalInput(shift.start, timeZone),
      end: toLocalInput(shift.end, timeZone),
      users: shift.users.join(", "),
      chemicals: shift.chemical_ids.map((id) => nameOf.get(id) ?? String(id)).join(", "),
      comment: shift.comment,
    })),
  );
  const [error, setError] = useState<unknown>(null);
  const [edited, setEdited] = useState(false);
  const change = (key: number, field: keyof ShiftDraft, value: string) => {
    setEdited(true);
    setRows(rows.map((row) => (row.key === key ? { ...row, [field]: value } : row)));
  };
  const add = () => {
    // A new shift follows the last one, eight hours long.
    const last = rows[rows.length - 1];
    const startIso = (last && fromLocalInput(last.end, timeZone)) || new Date().toISOString();
    const endIso = new Date(Date.parse(startIso) + 8 * 3600 * 1000).toISOString();
    setEdited(true);
    setRows([...rows, { key: nextKey++, start: toLocalInput(startIso, timeZone), end: toLocalInput(endIso, timeZone), users: "", chemicals: "", comment: "" }]);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const body = rows.map((row, index) => {
        const start = fromLocalInput(row.start, timeZone);
        const end = fromLocalInput(row.end, timeZone);
        if (!start || !end) throw new Error(`shift ${index + 1}: start and end need a date and a time`);
        const chemicalIds = row.chemicals
          .split(",")
          .map((name) => name.trim())
          .filter(Boolean)
          .map((name) => {
            const id = idOf.get(name);
            if (id === undefined) throw new Error(`shift ${index + 1}: there is no chemical “${name}”`);
            return id;
          });
        const users = row.users.split(",").map((user) => user.trim()).filter(Boolean);
        return { start, end, users, chemical_ids: chemicalIds, comment: row.comment };
      });
      const { data } = await fetchClient.PUT("/api/beamtimes/{bt}/schedule", { params: { path: { bt } }, body: { shifts: body }, headers: ifMatch(version) });
      if (data) onSaved(data.version);
      await client.invalidateQueries({ predicate: forBeamtime(bt, ["/api/beamtimes/{bt}/schedule", "/api/beamtimes/{bt}/overview"]) });
    } catch (problem) {
      setError(problem);
    }
  };

  return (
    <section className="narrow-wide">
      <h1>Schedule</h1>
      <form onSubmit={save} aria-label="Schedule">
        <table className="grid schedule">
          <thead>
            <tr>
              <th>Start ({timeZone})</th>
              <th>End</th>
              <th>People (comma-separated)</th>
              <th>Chemicals</th>
              <th>Comment</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={row.key}>
                <td>
                  <input type="datetime-local" step={1} value={row.start} onChange={(event) => change(row.key, "start", event.target.value)} aria-label={`Start of shift ${index + 1}`} />
                </td>
                <td>
                  <input type="datetime-local" step={1} value={row.end} onChange={(event) => change(row.key, "end", event.target.value)} aria-label={`End of shift ${index + 1}`} />
                </td>
                <td>
                  <input value={row.users} onChange={(event) => change(row.key, "users", event.target.value)} aria-label={`People of shift ${index + 1}`} />
                </td>
                <td>
                  <input value={row.chemicals} list="schedule-chemicals" onChange={(event) => change(row.key, "chemicals", event.target.value)} aria-label={`Chemicals of shift ${index + 1}`} />
                </td>
                <td>
                  <input value={row.comment} onChange={(event) => change(row.key, "comment", event.target.value)} aria-label={`Comment of shift ${index + 1}`} />
                </td>
                <td>
                  <button type="button" className="link-button" onClick={() => {
                      setEdited(true);
                      setRows(rows.filter((item) => item.key !== row.key));
                    }}>
                    remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <datalist id="schedule-chemicals">
          {chemicals.map((chemical) => (
            <option key={chemical.id} value={chemical.name} />
          ))}
        </datalist>
        <ProblemView error={error} />
        <div className="actions">
          <button type="button" className="secondary" onClick={add}>
            Add shift
          </button>
          <button type="submit">Save schedule</button>
          {saved && !edited && <span className="ok">Saved.</span>}
        </div>
      </form>
    </section>
  );
}
