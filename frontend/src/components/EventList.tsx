import { useQueryClient } from "@tanstack/react-query";
import { fetchClient } from "../api/client";
import { forBeamtime } from "../api/keys";
import type { EventEntry } from "../api/types";
import { formatDateTime } from "../lib/time";
import { Link } from "../router";
import { Markdown } from "./Markdown";

function Attachments({ event }: { event: EventEntry }) {
  if (event.files.length === 0) return null;
  return (
    <ul className="attachments">
      {event.files.map((file) => (
        <li key={file.id}>
          <a href={`/api/files/${file.id}`} target="_blank" rel="noreferrer">
            {file.mime_type.startsWith("image/") ? <img src={`/api/files/${file.id}/thumbnail`} alt={file.name} loading="lazy" /> : file.name}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function EventList({ bt, events, timeZone, allowDelete = false }: { bt: number; events: readonly EventEntry[]; timeZone: string; allowDelete?: boolean }) {
  const client = useQueryClient();
  const remove = async (event: EventEntry) => {
    if (!window.confirm("Delete this logbook entry?")) return;
    await fetchClient.DELETE("/api/beamtimes/{bt}/events/{event_id}", { params: { path: { bt, event_id: event.id } } });
    await client.invalidateQueries({ predicate: forBeamtime(bt, ["/api/beamtimes/{bt}/events", "/api/beamtimes/{bt}/overview"]) });
  };
  if (events.length === 0) return <p className="muted">No entries yet.</p>;
  return (
    <ol className="events">
      {events.map((event) => (
        <li key={event.id} className={`event level-${event.level}`}>
          <div className="event-head">
            <time dateTime={event.created_at}>{formatDateTime(event.created_at, timeZone)}</time>
            {event.level !== "user" && <span className={`badge ${event.level}`}>{event.level}</span>}
            <span className="source">{event.source}</span>
            {event.run_number !== null && <Link to={`/beamtimes/${bt}/runs?runs=${event.run_number}`}>run {event.run_number}</Link>}
            {allowDelete && (
              <button type="button" className="link-button" onClick={() => void remove(event)}>
                delete
              </button>
            )}
          </div>
          {event.text && <Markdown text={event.text} />}
          <Attachments event={event} />
        </li>
      ))}
    </ol>
  );
}
