import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { $api, fetchClient, ifMatch } from "../api/client";
import { forBeamtime } from "../api/keys";
import { ALL, useAttributi, useBeamtime, useChemicals, useExperimentTypes } from "../api/queries";
import type { Attributo, ExperimentType } from "../api/types";
import { ProblemView, QueryState } from "../components/ProblemView";
import { ValueField } from "../components/ValueField";
import { displayValue, parseValue, type ParseContext } from "../lib/attributoValues";
import { Link } from "../router";

const TYPES = "/api/beamtimes/{bt}/experiment-types" as const;
const DATA_SETS = "/api/beamtimes/{bt}/data-sets" as const;

/**
 * Experiment types name the attributi that define a data set; a data set fixes their values
 * and holds every run that has them. Runs join data sets by themselves as their attributi change.
 */
export function ExperimentTypesPage({ bt }: { bt: number }) {
  const types = useExperimentTypes(bt);
  const attributi = useAttributi(bt);
  const chemicals = useChemicals(bt);
  const beamtime = useBeamtime(bt);
  const dataSets = $api.useQuery("get", DATA_SETS, { params: { path: { bt }, query: { limit: ALL } } }, { staleTime: Infinity });
  const [editing, setEditing] = useState<ExperimentType | "new" | null>(null);
  const context = useMemo<ParseContext>(
    () => ({ timeZone: beamtime.data?.timezone ?? "UTC", chemicals: new Map((chemicals.data?.items ?? []).map((chemical) => [chemical.id, chemical.name])) }),
    [beamtime.data, chemicals.data],
  );
  const all = attributi.data?.items ?? [];

  return (
    <section className="narrow-wide">
      <div className="page-head">
        <h1>Experiment types and data sets</h1>
        <button type="button" onClick={() => setEditing("new")}>
          New experiment type
        </button>
      </div>
      {editing && <TypeForm key={editing === "new" ? "new" : editing.id} bt={bt} type={editing === "new" ? null : editing} attributi={all} onDone={() => setEditing(null)} />}
      <QueryState query={types} what="the experiment types">
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No experiment types yet. One names the attributi (e.g. sample and detector distance) whose values make up a data set.</p>
          ) : (
            <>
              {page.items.map((type) => (
                <div key={type.id} className="card experiment-type">
                  <div className="page-head">
                    <h2>{type.name}</h2>
                    <button type="button" className="link-button" onClick={() => setEditing(type)}>
                      Edit
                    </button>
                  </div>
                  <p className="muted">
                    {type.attributi.map((item) => (item.role ? `${item.name} (${item.role})` : item.name)).join(", ") || "no attributi"} · {type.run_count} runs
                  </p>
                  <DataSets bt={bt} type={type} attributi={all} context={context} items={(dataSets.data?.items ?? []).filter((set) => set.experiment_type_id === type.id)} />
                </div>
              ))}
            </>
          )
        }
      </QueryState>
    </section>
  );
}

function TypeForm({ bt, type, attributi, onDone }: { bt: number; type: ExperimentType | null; attributi: Attributo[]; onDone(): void }) {
  const client = useQueryClient();
  const [name, setName] = useState(type?.name ?? "");
  const [roles, setRoles] = useState<Map<number, string>>(() => new Map((type?.attributi ?? []).map((item) => [item.attributo_id, item.role ?? ""])));
  const [error, setError] = useState<unknown>(null);
  const refresh = () => client.invalidateQueries({ predicate: forBeamtime(bt, [TYPES, DATA_SETS, "/api/beamtimes/{bt}/overview"]) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const chosen = [...roles].map(([attributo_id, role]) => ({ attributo_id, role: role.trim() || null }));
    try {
      if (type) {
        await fetchClient.PATCH("/api/beamtimes/{bt}/experiment-types/{type_id}", { params: { path: { bt, type_id: type.id } }, body: { name, attributi: chosen }, headers: ifMatch(type.version) });
      } else {
        await fetchClient.POST(TYPES, { params: { path: { bt } }, body: { name, attributi: chosen } });
      }
      await refresh();
      onDone();
    } catch (problem) {
      setError(problem);
    }
  };
  const remove = async () => {
    if (!type || !window.confirm(`Delete the experiment type ${type.name} and its data sets?`)) return;
    try {
      await fetchClient.DELETE("/api/beamtimes/{bt}/experiment-types/{type_id}", { params: { path: { bt, type_id: type.id } }, headers: ifMatch(type.version) });
      await refresh();
      onDone();
    } catch (problem) {
      setError(problem);
    }
  };

  return (
    <form className="form card" onSubmit={submit} aria-label={type ? `Edit ${type.name}` : "New experiment type"}>
      <h2>{type ? `Edit ${type.name}` : "New experiment type"}</h2>
      <label>
        Name
        <input value={name} onChange={(event) => setName(event.target.value)} required />
      </label>
      <ul className="checklist">
        {attributi.map((attributo) => (
          <li key={attributo.id}>
            <label className="inline">
              <input
                type="checkbox"
                checked={roles.has(attributo.id)}
                onChange={(event) => {
                  const next = new Map(roles);
                  if (event.target.checked) next.set(attributo.id, "");
                  else next.delete(attributo.id);
                  setRoles(next);
                }}
              />
              {attributo.name} <small className="muted">({attributo.associated_table})</small>
            </label>
            {roles.has(attributo.id) && (
              <input
                aria-label={`Role of ${attributo.name}`}
                placeholder="role (optional)"
                value={roles.get(attributo.id) ?? ""}
                onChange={(event) => setRoles(new Map(roles).set(attributo.id, event.target.value))}
              />
            )}
          </li>
        ))}
      </ul>
      <ProblemView error={error} />
      <div className="actions">
        <button type="submit">{type ? "Save" : "Create"}</button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
        {type && (
          <button type="button" className="danger" onClick={remove}>
            Delete…
          </button>
        )}
      </div>
    </form>
  );
}

type DataSetItem = { id: number; attributi: Record<string, unknown>; runs: string; run_count: number };

function DataSets({ bt, type, attributi, context, items }: { bt: number; type: ExperimentType; attributi: Attributo[]; context: ParseContext; items: DataSetItem[] }) {
  const client = useQueryClient();
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [fromRun, setFromRun] = useState("");
  const [error, setError] = useState<unknown>(null);
  const members = type.attributi.map((item) => attributi.find((attributo) => attributo.id === item.attributo_id)).filter((item): item is Attributo => item !== undefined);
  const refresh = () => client.invalidateQueries({ predicate: forBeamtime(bt, [DATA_SETS, TYPES, "/api/beamtimes/{bt}/overview"]) });

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      if (fromRun.trim()) {
        await fetchClient.POST(DATA_SETS, { params: { path: { bt } }, body: { experiment_type_id: type.id, from_run: Number(fromRun) } });
      } else {
        const values: Record<string, unknown> = {};
        for (const attributo of members) {
          const parsed = parseValue(texts[attributo.name] ?? "", attributo.type, context);
          if (!parsed.ok) throw new Error(`${attributo.name}: ${parsed.message}`);
          values[attributo.name] = parsed.value;
        }
        await fetchClient.POST(DATA_SETS, { params: { path: { bt } }, body: { experiment_type_id: type.id, attributi: values } });
      }
      setTexts({});
      setFromRun("");
      await refresh();
    } catch (problem) {
      setError(problem);
    }
  };
  const remove = async (id: number) => {
    if (!window.confirm("Delete this data set? Its runs stay.")) return;
    try {
      await fetchClient.DELETE("/api/beamtimes/{bt}/data-sets/{data_set_id}", { params: { path: { bt, data_set_id: id } } });
      await refresh();
    } catch (problem) {
      setError(problem);
    }
  };

  return (
    <>
      {items.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>#</th>
              {members.map((attributo) => (
                <th key={attributo.id}>{attributo.name}</th>
              ))}
              <th>Runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((set) => (
              <tr key={set.id}>
                <td>{set.id}</td>
                {members.map((attributo) => (
                  <td key={attributo.id}>{displayValue(set.attributi[attributo.name], attributo.type, context)}</td>
                ))}
                <td>
                  {set.run_count > 0 ? <Link to={`/beamtimes/${bt}/runs?runs=${encodeURIComponent(set.runs)}`}>{set.runs}</Link> : <span className="muted">none yet</span>} ({set.run_count})
                </td>
                <td>
                  <button type="button" className="link-button" onClick={() => void remove(set.id)}>
                    delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="toolbar data-set-form" onSubmit={create} aria-label={`New data set of ${type.name}`}>
        {members.map((attributo) => (
          <label key={attributo.id}>
            {attributo.name}{" "}
            <ValueField type={attributo.type} text={texts[attributo.name] ?? ""} context={context} label={attributo.name} onChange={(text) => setTexts({ ...texts, [attributo.name]: text })} />
          </label>
        ))}
        <label>
          or like run <input value={fromRun} onChange={(event) => setFromRun(event.target.value)} size={5} aria-label="From run" />
        </label>
        <button type="submit">Add data set</button>
      </form>
      <ProblemView error={error} />
    </>
  );
}
