import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { fetchClient, ifMatch } from "../api/client";
import { ProblemError, isProblem } from "../api/problem";
import { useBeamtime } from "../api/queries";
import type { Beamtime } from "../api/types";
import { ProblemView } from "../components/ProblemView";
import { browserTimeZone, fromLocalInput, toLocalInput } from "../lib/time";
import { navigate } from "../router";

interface Draft {
  external_id: string;
  title: string;
  beamline: string;
  proposal: string;
  comment: string;
  timezone: string;
  start: string;
  end: string;
}

function draftOf(beamtime: Beamtime | undefined): Draft {
  const timezone = beamtime?.timezone ?? browserTimeZone();
  return {
    external_id: beamtime?.external_id ?? "",
    title: beamtime?.title ?? "",
    beamline: beamtime?.beamline ?? "",
    proposal: beamtime?.proposal ?? "",
    comment: beamtime?.comment ?? "",
    timezone,
    start: toLocalInput(beamtime?.start, timezone),
    end: toLocalInput(beamtime?.end, timezone),
  };
}

const TIME_ZONES: string[] = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

/** Create (`bt` null) or edit a beamtime. Times are typed in the beamtime's own time zone. */
export function BeamtimeFormPage({ bt }: { bt: number | null }) {
  const existing = useBeamtime(bt ?? 0);
  const beamtime = bt === null ? undefined : existing.data;
  if (bt !== null && !beamtime) {
    return existing.error ? <ProblemView error={existing.error} title="Could not load the beamtime" /> : <p className="muted">Loading…</p>;
  }
  return <BeamtimeForm key={beamtime?.version ?? "new"} beamtime={beamtime} />;
}

function BeamtimeForm({ beamtime }: { beamtime: Beamtime | undefined }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(beamtime));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const editing = beamtime !== undefined;

  useEffect(() => {
    if (!editing) {
      // A fresh beamtime starts now and lasts the usual five days.
      const now = new Date();
      const end = new Date(now.getTime() + 5 * 86400 * 1000);
      setDraft((previous) => ({ ...previous, start: toLocalInput(now.toISOString(), previous.timezone), end: toLocalInput(end.toISOString(), previous.timezone) }));
    }
  }, [editing]);

  const field = (name: keyof Draft) => ({
    name,
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value }),
  });
  const fieldError = (name: string) => (error instanceof ProblemError ? error.fieldMessage(name) : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const start = fromLocalInput(draft.start, draft.timezone);
    const end = fromLocalInput(draft.end, draft.timezone);
    if (!start || !end) {
      setError(new Error("Start and end need a date and a time."));
      return;
    }
    const body = { external_id: draft.external_id, title: draft.title, beamline: draft.beamline, proposal: draft.proposal, comment: draft.comment, timezone: draft.timezone, start, end };
    setBusy(true);
    setError(null);
    try {
      if (beamtime) {
        await fetchClient.PATCH("/api/beamtimes/{bt}", { params: { path: { bt: beamtime.id } }, body, headers: ifMatch(beamtime.version) });
        await client.invalidateQueries({ queryKey: ["get", "/api/beamtimes"] });
        await client.invalidateQueries({ queryKey: ["get", "/api/beamtimes/{bt}"] });
        navigate(`/beamtimes/${beamtime.id}`);
      } else {
        const { data } = await fetchClient.POST("/api/beamtimes", { body });
        await client.invalidateQueries({ queryKey: ["get", "/api/beamtimes"] });
        if (data) navigate(`/beamtimes/${data.id}`);
      }
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!beamtime || !window.confirm(`Delete beamtime ${beamtime.external_id}?`)) return;
    try {
      await fetchClient.DELETE("/api/beamtimes/{bt}", { params: { path: { bt: beamtime.id }, query: {} }, headers: ifMatch(beamtime.version) });
    } catch (problem) {
      if (!isProblem(problem, 409) || !window.confirm(`${problem.detail}\n\nDelete it with all its runs anyway?`)) {
        setError(problem);
        return;
      }
      await fetchClient.DELETE("/api/beamtimes/{bt}", { params: { path: { bt: beamtime.id }, query: { force: true } } });
    }
    await client.invalidateQueries({ queryKey: ["get", "/api/beamtimes"] });
    navigate("/");
  };

  return (
    <section className="narrow">
      <h1>{editing ? `Beamtime ${beamtime.external_id}` : "New beamtime"}</h1>
      <form className="form" onSubmit={submit}>
        <label>
          Beamtime ID
          <input {...field("external_id")} required placeholder="e.g. 11012345" />
          <FieldMessage text={fieldError("external_id")} />
        </label>
        <label>
          Title
          <input {...field("title")} />
          <FieldMessage text={fieldError("title")} />
        </label>
        <div className="row">
          <label>
            Beamline
            <input {...field("beamline")} placeholder="e.g. P11" />
          </label>
          <label>
            Proposal
            <input {...field("proposal")} />
          </label>
        </div>
        <label>
          Time zone
          <input {...field("timezone")} list="time-zones" required />
          <datalist id="time-zones">
            {TIME_ZONES.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <FieldMessage text={fieldError("timezone")} />
        </label>
        <div className="row">
          <label>
            Start ({draft.timezone})
            <input {...field("start")} type="datetime-local" step={1} required />
            <FieldMessage text={fieldError("start")} />
          </label>
          <label>
            End ({draft.timezone})
            <input {...field("end")} type="datetime-local" step={1} required />
            <FieldMessage text={fieldError("end")} />
          </label>
        </div>
        <label>
          Comment
          <textarea {...field("comment")} rows={3} />
        </label>
        {isProblem(error, 412) ? (
          <div className="problem" role="alert">
            Someone changed this beamtime while you were editing it.{" "}
            <button type="button" onClick={() => void client.invalidateQueries({ queryKey: ["get", "/api/beamtimes/{bt}"] })}>
              Load their version
            </button>
          </div>
        ) : (
          <ProblemView error={error} />
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {editing ? "Save" : "Create beamtime"}
          </button>
          {editing && (
            <button type="button" className="danger" onClick={remove}>
              Delete…
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

function FieldMessage({ text }: { text: string | undefined }) {
  return text ? <span className="field-error">{text}</span> : null;
}
