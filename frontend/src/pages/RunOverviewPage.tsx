import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { fetchClient } from "../api/client";
import { forBeamtime } from "../api/keys";
import { useAttributi, useChemicals, useExperimentTypes, useOverview } from "../api/queries";
import type { Attributo, Configuration, ExperimentType, Run } from "../api/types";
import { AttributoEditor } from "../components/AttributoEditor";
import { EventForm } from "../components/EventForm";
import { EventList } from "../components/EventList";
import { ProblemView, QueryState } from "../components/ProblemView";
import { useRunEditing } from "../components/useRunEditing";
import { useLive } from "../live/LiveProvider";
import { displayValue, type ParseContext } from "../lib/attributoValues";
import { formatDateTime, formatDuration } from "../lib/time";
import { Link } from "../router";

/** The current time, once a second: the running timer counts locally, nothing is polled. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * What the beamline is doing right now: the latest run with its attributi (editable), the
 * switches of the user configuration, the camera image, the data set being collected, a
 * logbook form and the latest entries. Every part is refreshed by the change stream.
 */
export function RunOverviewPage({ bt }: { bt: number }) {
  const overview = useOverview(bt);
  const attributi = useAttributi(bt, "run");
  const chemicals = useChemicals(bt);
  const experimentTypes = useExperimentTypes(bt);

  const data = overview.data;
  const run = data?.latest_run ?? null;
  const timeZone = data?.beamtime.timezone ?? "UTC";
  const now = useNow(run !== null && run.stopped === null);
  const context = useMemo<ParseContext>(
    () => ({ timeZone, chemicals: new Map((chemicals.data?.items ?? []).map((chemical) => [chemical.id, chemical.name])) }),
    [timeZone, chemicals.data],
  );

  useEffect(() => {
    // The tab title tells from another tab whether a run is going on.
    document.title = run ? `${run.stopped === null ? "🏃" : "🧍"} run ${run.number} · ${data?.beamtime.external_id ?? "amarcord"}` : "amarcord";
    return () => {
      document.title = "amarcord";
    };
  }, [run, data?.beamtime.external_id]);

  if (!data) return <QueryState query={overview} what="the overview">{() => null}</QueryState>;
  const typeName = (id: number | null) => (experimentTypes.data?.items ?? []).find((type) => type.id === id)?.name ?? `experiment type ${id}`;

  return (
    <section className="overview">
      <div className="overview-main">
        <div className="card run-card">
          {run ? (
            <>
              <div className="run-state">
                <h1>Run {run.number}</h1>
                {run.stopped === null ? (
                  <span className="badge running" data-testid="run-timer">
                    running {formatDuration(now - Date.parse(run.started))}
                  </span>
                ) : (
                  <span className="badge">stopped after {formatDuration(Date.parse(run.stopped) - Date.parse(run.started))}</span>
                )}
              </div>
              <p className="muted">
                started {formatDateTime(run.started, timeZone)}
                {run.stopped && ` · stopped ${formatDateTime(run.stopped, timeZone)}`}
                {run.experiment_type_id !== null && ` · ${typeName(run.experiment_type_id)}`}
              </p>
              <p>
                {data.data_set ? (
                  <>
                    Data set #{data.data_set.id}: runs <Link to={`/beamtimes/${bt}/runs?runs=${encodeURIComponent(data.data_set.runs)}`}>{data.data_set.runs}</Link> ({data.data_set.run_count} runs)
                  </>
                ) : (
                  <span className="muted">This run belongs to no data set.</span>
                )}
              </p>
            </>
          ) : (
            <p className="muted">No runs yet. They appear here as soon as the DAQ starts one.</p>
          )}
        </div>
        <Controls bt={bt} configuration={data.configuration} experimentTypes={experimentTypes.data?.items ?? []} />
        {run && <RunAttributi bt={bt} run={run} attributi={attributi.data?.items ?? []} context={context} />}
      </div>
      <div className="overview-side">
        <LiveImage bt={bt} url={data.live_stream?.url ?? null} updatedAt={data.live_stream?.updated_at ?? null} />
        <div className="card">
          <h2>On shift</h2>
          {data.on_shift.length > 0 ? <p>{data.on_shift.join(", ")}</p> : <p className="muted">Nobody is scheduled right now.</p>}
        </div>
        <div className="card">
          <h2>Logbook</h2>
          <EventForm bt={bt} runNumber={run?.number ?? null} hasLiveImage={data.live_stream !== null} />
          <EventList bt={bt} events={data.events} timeZone={timeZone} />
          <Link to={`/beamtimes/${bt}/events`}>All entries…</Link>
        </div>
      </div>
    </section>
  );
}

function Controls({ bt, configuration, experimentTypes }: { bt: number; configuration: Configuration; experimentTypes: ExperimentType[] }) {
  const client = useQueryClient();
  const [problem, setProblem] = useState<unknown>(null);
  const change = async (body: { auto_pilot?: boolean; current_experiment_type_id?: number | null }) => {
    setProblem(null);
    try {
      await fetchClient.PATCH("/api/beamtimes/{bt}/configuration", { params: { path: { bt } }, body });
      await client.invalidateQueries({ predicate: forBeamtime(bt, ["/api/beamtimes/{bt}/configuration", "/api/beamtimes/{bt}/overview"]) });
    } catch (failure) {
      setProblem(failure);
    }
  };
  return (
    <div className="card controls">
      <label className="switch">
        <input type="checkbox" checked={configuration.auto_pilot} onChange={(event) => void change({ auto_pilot: event.target.checked })} />
        Auto-pilot <small className="muted">(new runs copy the manual attributi of the previous run)</small>
      </label>
      <label>
        Current experiment type{" "}
        <select
          value={configuration.current_experiment_type_id ?? ""}
          onChange={(event) => void change({ current_experiment_type_id: event.target.value === "" ? null : Number(event.target.value) })}
        >
          <option value="">none</option>
          {experimentTypes.map((type) => (
            <option key={type.id} value={type.id}>
              {type.name}
            </option>
          ))}
        </select>
      </label>
      <ProblemView error={problem} />
    </div>
  );
}

/** The run's attributi, each editable in place (manual ones first: those are typed by people). */
function RunAttributi({ bt, run, attributi, context }: { bt: number; run: Run; attributi: Attributo[]; context: ParseContext }) {
  const { edit, dialog } = useRunEditing(bt);
  const [editing, setEditing] = useState<number | null>(null);
  const [showAll, setShowAll] = useState(false);
  const runAttributi = attributi.filter((attributo) => attributo.associated_table === "run");
  const manual = runAttributi.filter((attributo) => attributo.group === "manual");
  const shown = showAll ? runAttributi : manual.length > 0 ? manual : runAttributi;
  return (
    <div className="card">
      <div className="page-head">
        <h2>Attributi of run {run.number}</h2>
        {manual.length > 0 && manual.length < runAttributi.length && (
          <label>
            <input type="checkbox" checked={showAll} onChange={(event) => setShowAll(event.target.checked)} /> show all
          </label>
        )}
      </div>
      {shown.length === 0 && (
        <p className="muted">
          No attributi defined yet.
        </p>
      )}
      <table className="grid attributi">
        <tbody>
          {shown.map((attributo) => (
            <tr key={attributo.id}>
              <th title={attributo.description}>{attributo.name}</th>
              {editing === attributo.id ? (
                <td className="editing">
                  <AttributoEditor
                    type={attributo.type}
                    value={run.attributi[attributo.name]}
                    context={context}
                    label={attributo.name}
                    onCancel={() => setEditing(null)}
                    onCommit={async (value) => {
                      await edit(run, { attributi: { [attributo.name]: value } }, attributo.name);
                      setEditing(null);
                    }}
                  />
                </td>
              ) : (
                <td className="editable" tabIndex={0} onClick={() => setEditing(attributo.id)} onKeyDown={(event) => event.key === "Enter" && setEditing(attributo.id)}>
                  {displayValue(run.attributi[attributo.name], attributo.type, context) || <span className="muted">—</span>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {dialog}
    </div>
  );
}

/**
 * The camera image. Each `live-stream` event on the change stream names the new frame's time,
 * which becomes part of the URL, so the browser loads exactly the frames that exist.
 */
function LiveImage({ bt, url, updatedAt }: { bt: number; url: string | null; updatedAt: string | null }) {
  const { frame } = useLive();
  const stamp = frame !== null && (updatedAt === null || frame > updatedAt) ? frame : updatedAt;
  if (url === null && frame === null) {
    return (
      <div className="card live-image">
        <h2>Live image</h2>
        <p className="muted">No live image yet.</p>
      </div>
    );
  }
  const src = `${url ?? `/api/beamtimes/${bt}/live-stream`}?t=${encodeURIComponent(stamp ?? "")}`;
  return (
    <div className="card live-image">
      <h2>Live image</h2>
      <a href={src} target="_blank" rel="noreferrer">
        <img src={src} alt="Live stream" data-frame={stamp ?? ""} />
      </a>
    </div>
  );
}
