import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fetchClient, ifMatch } from "../api/client";
import { forBeamtime } from "../api/keys";
import { ProblemError } from "../api/problem";
import { useAttributi } from "../api/queries";
import type { Attributo } from "../api/types";
import { ProblemView, QueryState } from "../components/ProblemView";
import { KINDS, describeType, draftOf, emptyDraft, typeOfDraft, type TypeDraft } from "../lib/attributoTypeDraft";
import { useSearchParams } from "../router";

type Table = "run" | "chemical";

/**
 * The typed columns of runs and chemicals: define, rename, retype (the server converts every
 * stored value or refuses, naming the values that cannot be converted) and delete.
 */
export function AttributiPage({ bt }: { bt: number }) {
  const [params, setParams] = useSearchParams();
  const table: Table = params.get("table") === "chemical" ? "chemical" : "run";
  const attributi = useAttributi(bt, table);
  const [editing, setEditing] = useState<Attributo | "new" | null>(null);

  return (
    <section className="narrow-wide">
      <div className="page-head">
        <h1>Attributi</h1>
        <button type="button" onClick={() => setEditing("new")}>
          New attributo
        </button>
      </div>
      <div className="toolbar" role="tablist">
        {(["run", "chemical"] as const).map((name) => (
          <button key={name} type="button" role="tab" aria-selected={table === name} className={table === name ? "chip active" : "chip"} onClick={() => setParams({ table: name === "run" ? null : name })}>
            {name === "run" ? "Runs" : "Chemicals"}
          </button>
        ))}
      </div>
      {editing !== null && <AttributoForm key={editing === "new" ? "new" : editing.id} bt={bt} table={table} attributo={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      <QueryState query={attributi} what="the attributi">
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No attributi for {table === "run" ? "runs" : "chemicals"} yet.</p>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Group</th>
                  <th>Description</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {page.items.map((attributo) => (
                  <tr key={attributo.id}>
                    <td>{attributo.name}</td>
                    <td>{describeType(attributo.type)}</td>
                    <td>{attributo.group}</td>
                    <td>{attributo.description}</td>
                    <td>
                      <button type="button" className="link-button" onClick={() => setEditing(attributo)}>
                        Edit
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </section>
  );
}

function AttributoForm({ bt, table, attributo, onDone }: { bt: number; table: Table; attributo: Attributo | null; onDone(): void }) {
  const client = useQueryClient();
  const [name, setName] = useState(attributo?.name ?? "");
  const [group, setGroup] = useState(attributo?.group ?? "manual");
  const [description, setDescription] = useState(attributo?.description ?? "");
  const [draft, setDraft] = useState<TypeDraft>(attributo ? draftOf(attributo.type) : emptyDraft());
  const [ignoreUnits, setIgnoreUnits] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof TypeDraft>(key: K, value: TypeDraft[K]) => setDraft({ ...draft, [key]: value });
  const refresh = () => client.invalidateQueries({ predicate: forBeamtime(bt, ["/api/beamtimes/{bt}/attributi", "/api/beamtimes/{bt}/runs", "/api/beamtimes/{bt}/chemicals"]) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const type = typeOfDraft(draft);
    if (!type.ok) {
      setError(new Error(type.message));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (attributo) {
        const typeChanged = JSON.stringify(type.type) !== JSON.stringify(attributo.type);
        await fetchClient.PATCH("/api/beamtimes/{bt}/attributi/{attributo_id}", {
          params: { path: { bt, attributo_id: attributo.id } },
          body: { name, group, description, ...(typeChanged ? { type: type.type, ignore_units: ignoreUnits } : {}) },
          headers: ifMatch(attributo.version),
        });
      } else {
        await fetchClient.POST("/api/beamtimes/{bt}/attributi", { params: { path: { bt } }, body: { name, group, description, associated_table: table, type: type.type } });
      }
      await refresh();
      onDone();
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!attributo || !window.confirm(`Delete “${attributo.name}” and its value in every ${table}?`)) return;
    try {
      await fetchClient.DELETE("/api/beamtimes/{bt}/attributi/{attributo_id}", { params: { path: { bt, attributo_id: attributo.id } }, headers: ifMatch(attributo.version) });
      await refresh();
      onDone();
    } catch (problem) {
      setError(problem);
    }
  };

  const nameError = error instanceof ProblemError ? error.fieldMessage("name") : undefined;
  const numeric = draft.kind === "integer" || draft.kind === "decimal";
  return (
    <form className="form card" onSubmit={submit} aria-label={attributo ? `Edit ${attributo.name}` : "New attributo"}>
      <h2>{attributo ? `Edit ${attributo.name}` : `New ${table} attributo`}</h2>
      <div className="row">
        <label>
          Name
          <input value={name} onChange={(event) => setName(event.target.value)} required />
          {nameError && <span className="field-error">{nameError}</span>}
        </label>
        <label>
          Group
          <input value={group} onChange={(event) => setGroup(event.target.value)} list="attributo-groups" />
          <datalist id="attributo-groups">
            <option value="manual" />
            <option value="automatic" />
          </datalist>
        </label>
        <label>
          Kind
          <select value={draft.kind} onChange={(event) => set("kind", event.target.value as TypeDraft["kind"])}>
            {KINDS.filter((kind) => table === "run" || kind !== "chemical").map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        Description
        <input value={description} onChange={(event) => setDescription(event.target.value)} />
      </label>
      {draft.kind === "decimal" && (
        <label>
          Unit
          <input value={draft.unit} onChange={(event) => set("unit", event.target.value)} placeholder="e.g. mm, keV, µJ" />
        </label>
      )}
      {numeric && (
        <div className="row">
          <label>
            Minimum
            <input value={draft.minimum} onChange={(event) => set("minimum", event.target.value)} />
          </label>
          <label>
            Maximum
            <input value={draft.maximum} onChange={(event) => set("maximum", event.target.value)} />
          </label>
        </div>
      )}
      {draft.kind === "decimal" && (
        <div className="row">
          <label className="inline">
            <input type="checkbox" checked={draft.exclusiveMinimum} onChange={(event) => set("exclusiveMinimum", event.target.checked)} /> minimum excluded
          </label>
          <label className="inline">
            <input type="checkbox" checked={draft.exclusiveMaximum} onChange={(event) => set("exclusiveMaximum", event.target.checked)} /> maximum excluded
          </label>
          <label>
            Tolerance (data sets)
            <input value={draft.tolerance} onChange={(event) => set("tolerance", event.target.value)} />
          </label>
          <label className="inline">
            <input type="checkbox" checked={draft.toleranceIsAbsolute} onChange={(event) => set("toleranceIsAbsolute", event.target.checked)} /> absolute
          </label>
        </div>
      )}
      {draft.kind === "string" && (
        <label>
          Maximum length
          <input value={draft.maxLength} onChange={(event) => set("maxLength", event.target.value)} />
        </label>
      )}
      {draft.kind === "choice" && (
        <label>
          Choices (separated by commas)
          <input value={draft.choices} onChange={(event) => set("choices", event.target.value)} />
        </label>
      )}
      {draft.kind === "list" && (
        <div className="row">
          <label>
            Items are
            <select value={draft.itemKind} onChange={(event) => set("itemKind", event.target.value as TypeDraft["itemKind"])}>
              <option value="decimal">decimal</option>
              <option value="integer">integer</option>
              <option value="string">string</option>
              <option value="boolean">boolean</option>
            </select>
          </label>
          <label>
            At least
            <input value={draft.minItems} onChange={(event) => set("minItems", event.target.value)} />
          </label>
          <label>
            At most
            <input value={draft.maxItems} onChange={(event) => set("maxItems", event.target.value)} />
          </label>
        </div>
      )}
      {attributo && attributo.type.kind === "decimal" && draft.kind === "decimal" && draft.unit.trim() !== (attributo.type.unit ?? "") && (
        <label className="inline">
          <input type="checkbox" checked={ignoreUnits} onChange={(event) => setIgnoreUnits(event.target.checked)} /> keep the numbers (do not convert to the new unit)
        </label>
      )}
      {attributo && <p className="muted">Changing the kind or unit converts every stored value; if one cannot be converted, nothing changes.</p>}
      <ProblemView error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {attributo ? "Save" : "Create"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
        {attributo && (
          <button type="button" className="danger" onClick={remove}>
            Delete…
          </button>
        )}
      </div>
    </form>
  );
}
