import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { $api, fetchClient, ifMatch, postForm } from "../api/client";
import { forBeamtime } from "../api/keys";
import { isProblem } from "../api/problem";
import { ALL, useAttributi, useBeamtime, useBeamtimes, useChemicals } from "../api/queries";
import type { Attributo, Chemical, UploadedFile } from "../api/types";
import { ProblemView, QueryState } from "../components/ProblemView";
import { ValueField } from "../components/ValueField";
import { displayValue, editText, parseValue, type ParseContext } from "../lib/attributoValues";

type Editing = { chemical: Chemical | null; copyOf?: Chemical };

/** The samples of a beamtime with their attributi and files; copied from earlier beamtimes. */
export function ChemicalsPage({ bt }: { bt: number }) {
  const chemicals = useChemicals(bt);
  const attributi = useAttributi(bt, "chemical");
  const beamtime = useBeamtime(bt);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [copying, setCopying] = useState(false);
  const timeZone = beamtime.data?.timezone ?? "UTC";
  const context = useMemo<ParseContext>(
    () => ({ timeZone, chemicals: new Map((chemicals.data?.items ?? []).map((chemical) => [chemical.id, chemical.name])) }),
    [timeZone, chemicals.data],
  );
  const columns = (attributi.data?.items ?? []).filter((attributo) => attributo.associated_table === "chemical");

  return (
    <section>
      <div className="page-head">
        <h1>Chemicals</h1>
        <span className="actions">
          <button type="button" className="secondary" onClick={() => setCopying(!copying)}>
            Copy from another beamtime…
          </button>
          <button type="button" onClick={() => setEditing({ chemical: null })}>
            New chemical
          </button>
        </span>
      </div>
      {copying && <CopyChemicals bt={bt} onDone={() => setCopying(false)} />}
      {editing && (
        <ChemicalForm
          key={editing.chemical?.id ?? `new-${editing.copyOf?.id ?? ""}`}
          bt={bt}
          chemical={editing.chemical}
          template={editing.copyOf ?? null}
          attributi={columns}
          context={context}
          onDone={() => setEditing(null)}
        />
      )}
      <QueryState query={chemicals} what="the chemicals">
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No chemicals yet.</p>
          ) : (
            <div className="table-scroll">
              <table className="grid">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Responsible</th>
                    {columns.map((attributo) => (
                      <th key={attributo.id}>{attributo.name}</th>
                    ))}
                    <th>Files</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((chemical) => (
                    <tr key={chemical.id}>
                      <td>{chemical.name}</td>
                      <td>{chemical.responsible_person}</td>
                      {columns.map((attributo) => (
                        <td key={attributo.id}>{displayValue(chemical.attributi[attributo.name], attributo.type, context)}</td>
                      ))}
                      <td>
                        {chemical.file_ids.map((id) => (
                          <a key={id} href={`/api/files/${id}`} target="_blank" rel="noreferrer" className="file-link">
                            #{id}
                          </a>
                        ))}
                      </td>
                      <td className="row-actions">
                        <button type="button" className="link-button" onClick={() => setEditing({ chemical })}>
                          Edit
                        </button>
                        <button type="button" className="link-button" onClick={() => setEditing({ chemical: null, copyOf: chemical })}>
                          Duplicate
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </section>
  );
}

function ChemicalForm({
  bt,
  chemical,
  template,
  attributi,
  context,
  onDone,
}: {
  bt: number;
  chemical: Chemical | null;
  template: Chemical | null;
  attributi: Attributo[];
  context: ParseContext;
  onDone(): void;
}) {
  const client = useQueryClient();
  const source = chemical ?? template;
  const [name, setName] = useState(chemical?.name ?? (template ? `${template.name} (copy)` : ""));
  const [responsible, setResponsible] = useState(source?.responsible_person ?? "");
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(attributi.map((attributo) => [attributo.name, editText(source?.attributi[attributo.name], attributo.type, context)])),
  );
  const [files, setFiles] = useState<number[]>(source?.file_ids ?? []);
  const [error, setError] = useState<unknown>(null);
  const refresh = () => client.invalidateQueries({ predicate: forBeamtime(bt, ["/api/beamtimes/{bt}/chemicals", "/api/beamtimes/{bt}/chemicals/{chemical_id}"]) });

  const upload = async (picked: FileList | null) => {
    for (const file of picked ?? []) {
      try {
        const form = new FormData();
        form.append("file", file, file.name);
        const uploaded = await postForm<UploadedFile>(`/api/beamtimes/${bt}/files`, form);
        setFiles((previous) => (previous.includes(uploaded.id) ? previous : [...previous, uploaded.id]));
      } catch (problem) {
        setError(problem);
      }
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const values: Record<string, unknown> = {};
    for (const attributo of attributi) {
      const parsed = parseValue(texts[attributo.name] ?? "", attributo.type, context);
      if (!parsed.ok) {
        setError(new Error(`${attributo.name}: ${parsed.message}`));
        return;
      }
      if (parsed.value !== null || chemical) values[attributo.name] = parsed.value;
    }
    setError(null);
    try {
      const body = { name, responsible_person: responsible, attributi: values, file_ids: files };
      if (chemical) {
        await fetchClient.PATCH("/api/beamtimes/{bt}/chemicals/{chemical_id}", { params: { path: { bt, chemical_id: chemical.id } }, body, headers: ifMatch(chemical.version) });
      } else {
        await fetchClient.POST("/api/beamtimes/{bt}/chemicals", { params: { path: { bt } }, body });
      }
      await refresh();
      onDone();
    } catch (problem) {
      setError(problem);
    }
  };

  const remove = async () => {
    if (!chemical || !window.confirm(`Delete ${chemical.name}?`)) return;
    try {
      await fetchClient.DELETE("/api/beamtimes/{bt}/chemicals/{chemical_id}", { params: { path: { bt, chemical_id: chemical.id }, query: {} }, headers: ifMatch(chemical.version) });
    } catch (problem) {
      if (!isProblem(problem, 409) || !window.confirm(`${problem.detail}\n\nDelete it anyway (runs keep no reference to it)?`)) {
        setError(problem);
        return;
      }
      await fetchClient.DELETE("/api/beamtimes/{bt}/chemicals/{chemical_id}", { params: { path: { bt, chemical_id: chemical.id }, query: { force: true } } });
    }
    await refresh();
    onDone();
  };

  return (
    <form className="form card" onSubmit={submit} aria-label={chemical ? `Edit ${chemical.name}` : "New chemical"}>
      <h2>{chemical ? `Edit ${chemical.name}` : "New chemical"}</h2>
      <div className="row">
        <label>
          Name
          <input value={name} onChange={(event) => setName(event.target.value)} required />
        </label>
        <label>
          Responsible person
          <input value={responsible} onChange={(event) => setResponsible(event.target.value)} />
        </label>
      </div>
      <div className="field-grid">
        {attributi.map((attributo) => (
          <label key={attributo.id}>
            {attributo.name}
            <ValueField type={attributo.type} text={texts[attributo.name] ?? ""} context={context} label={attributo.name} onChange={(text) => setTexts({ ...texts, [attributo.name]: text })} />
          </label>
        ))}
      </div>
      <div>
        Files:{" "}
        {files.map((id) => (
          <span key={id} className="file-link">
            <a href={`/api/files/${id}`} target="_blank" rel="noreferrer">
              #{id}
            </a>{" "}
            <button type="button" className="link-button" aria-label={`Remove file ${id}`} onClick={() => setFiles(files.filter((item) => item !== id))}>
              ×
            </button>
          </span>
        ))}
        <label className="file-pick">
          Attach files
          <input type="file" multiple onChange={(event) => void upload(event.target.files)} />
        </label>
      </div>
      <ProblemView error={error} />
      <div className="actions">
        <button type="submit">{chemical ? "Save" : "Create"}</button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
        {chemical && (
          <button type="button" className="danger" onClick={remove}>
            Delete…
          </button>
        )}
      </div>
    </form>
  );
}

function CopyChemicals({ bt, onDone }: { bt: number; onDone(): void }) {
  const client = useQueryClient();
  const beamtimes = useBeamtimes();
  const others = (beamtimes.data?.items ?? []).filter((beamtime) => beamtime.id !== bt);
  const [from, setFrom] = useState<number | null>(null);
  const source = $api.useQuery("get", "/api/beamtimes/{bt}/chemicals", { params: { path: { bt: from ?? 0 }, query: { limit: ALL } } }, { enabled: from !== null });
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [createMissing, setCreateMissing] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const copy = async (event: FormEvent) => {
    event.preventDefault();
    if (from === null) return;
    try {
      await fetchClient.POST("/api/beamtimes/{bt}/chemicals/copy", { params: { path: { bt } }, body: { from_beamtime_id: from, chemical_ids: [...chosen], create_missing_attributi: createMissing } });
      await client.invalidateQueries({ predicate: forBeamtime(bt, ["/api/beamtimes/{bt}/chemicals", "/api/beamtimes/{bt}/attributi"]) });
      onDone();
    } catch (problem) {
      setError(problem);
    }
  };

  return (
    <form className="form card" onSubmit={copy} aria-label="Copy chemicals">
      <h2>Copy chemicals from another beamtime</h2>
      <label>
        Beamtime
        <select value={from ?? ""} onChange={(event) => setFrom(event.target.value ? Number(event.target.value) : null)}>
          <option value="">choose…</option>
          {others.map((beamtime) => (
            <option key={beamtime.id} value={beamtime.id}>
              {beamtime.external_id} {beamtime.title}
            </option>
          ))}
        </select>
      </label>
      {source.data && (
        <ul className="checklist">
          {source.data.items.map((chemical) => (
            <li key={chemical.id}>
              <label className="inline">
                <input
                  type="checkbox"
                  checked={chosen.has(chemical.id)}
                  onChange={(event) => {
                    const next = new Set(chosen);
                    if (event.target.checked) next.add(chemical.id);
                    else next.delete(chemical.id);
                    setChosen(next);
                  }}
                />
                {chemical.name}
              </label>
            </li>
          ))}
        </ul>
      )}
      <label className="inline">
        <input type="checkbox" checked={createMissing} onChange={(event) => setCreateMissing(event.target.checked)} /> define attributi this beamtime lacks
      </label>
      <ProblemView error={error} />
      <div className="actions">
        <button type="submit" disabled={chosen.size === 0}>
          Copy {chosen.size || ""}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
