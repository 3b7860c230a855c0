import { useState } from "react";
import { useBeamtime, useEvents } from "../api/queries";
import { EventForm } from "../components/EventForm";
import { EventList } from "../components/EventList";
import { QueryState } from "../components/ProblemView";
import { useSearchParams } from "../router";

const LEVELS = ["user", "info", "warning", "error"] as const;

export function EventLogPage({ bt }: { bt: number }) {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const level = params.get("level") ?? "";
  const [draft, setDraft] = useState(q);
  const beamtime = useBeamtime(bt);
  const events = useEvents(bt, { q, level, limit: 1000 });
  const timeZone = beamtime.data?.timezone ?? "UTC";
  return (
    <section className="narrow-wide">
      <h1>Event log</h1>
      <EventForm bt={bt} />
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          setParams({ q: draft.trim() });
        }}
      >
        <input value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="Search text and authors" aria-label="Search" />
        <select value={level} onChange={(event) => setParams({ level: event.target.value })} aria-label="Level">
          <option value="">all levels</option>
          {LEVELS.map((name) => (
            <option key={name} value={name}>
              {name === "user" ? "notes" : name}
            </option>
          ))}
        </select>
        <button type="submit">Search</button>
      </form>
      <QueryState query={events} what="the event log">
        {(page) => (
          <>
            <EventList bt={bt} events={page.items} timeZone={timeZone} allowDelete />
            {page.total > page.items.length && (
              <p className="muted">
                Showing the newest {page.items.length} of {page.total} entries; search to narrow them down.
              </p>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
