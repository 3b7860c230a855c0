import { getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useMemo, useRef, useState, type MouseEvent } from "react";
import type { Run } from "../../api/types";
import type { ParseContext } from "../../lib/attributoValues";
import { sortDirection, type RunColumn } from "../../lib/runColumns";
import { AttributoEditor } from "../AttributoEditor";

const ROW_HEIGHT = 30;

interface Props {
  runs: readonly Run[];
  columns: readonly RunColumn[];
  sort: string;
  context: ParseContext;
  selected: ReadonlySet<number>;
  onSort(sortKey: string): void;
  onSelect(number: number, extend: boolean): void;
  onSelectAll(select: boolean): void;
  onHistory(number: number): void;
  onEdit(run: Run, column: RunColumn, value: unknown): Promise<void>;
}

interface Editing {
  number: number;
  column: string;
}

/**
 * Every run of the listing in one scrolling table. Only the rows in view are rendered
 * (react-virtual), so ten thousand runs scroll as smoothly as ten; react-table keeps the
 * column model (order, visibility, ids).
 */
export function RunTable({ runs, columns, sort, context, selected, onSort, onSelect, onSelectAll, onHistory, onEdit }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const startEdit = useCallback((number: number, column: string) => setEditing({ number, column }), []);
  const stopEdit = useCallback(() => setEditing(null), []);

  const definitions = useMemo<ColumnDef<Run>[]>(
    () => columns.map((column) => ({ id: column.id, header: column.header, accessorFn: (run: Run) => column.text(run), size: column.attributo ? 150 : 170 })),
    [columns],
  );
  const table = useReactTable({
    data: runs as Run[],
    columns: definitions,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (run) => String(run.number),
    manualSorting: true,
  });
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const byId = useMemo(() => new Map(columns.map((column) => [column.id, column])), [columns]);
  const allSelected = runs.length > 0 && runs.every((run) => selected.has(run.number));
  const width = 36 + 80 + definitions.reduce((sum, column) => sum + (column.size ?? 150), 0);

  return (
    <div className="run-table-scroll" ref={scroller} data-testid="run-table">
      <table className="grid run-table" style={{ width }} aria-rowcount={runs.length}>
        <colgroup>
          <col style={{ width: 36 }} />
          <col style={{ width: 80 }} />
          {definitions.map((column) => (
            <col key={column.id} style={{ width: column.size }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th>
              <input type="checkbox" aria-label="Select all runs" checked={allSelected} onChange={(event) => onSelectAll(event.target.checked)} />
            </th>
            <SortHeader label="Run" sortKey="number" sort={sort} onSort={onSort} />
            {table.getHeaderGroups()[0]?.headers.map((header) => {
              const column = byId.get(header.column.id);
              return column ? <SortHeader key={header.id} label={column.header} sortKey={column.sortKey} sort={sort} onSort={onSort} /> : null;
            })}
          </tr>
        </thead>
        <tbody>
          {paddingTop > 0 && <tr style={{ height: paddingTop }} aria-hidden />}
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const run = row.original;
            return (
              <RunRow
                key={row.id}
                run={run}
                columns={columns}
                context={context}
                selected={selected.has(run.number)}
                editing={editing?.number === run.number ? editing.column : null}
                onSelect={onSelect}
                onHistory={onHistory}
                onStartEdit={startEdit}
                onStopEdit={stopEdit}
                onEdit={onEdit}
              />
            );
          })}
          {paddingBottom > 0 && <tr style={{ height: paddingBottom }} aria-hidden />}
        </tbody>
      </table>
    </div>
  );
}

function SortHeader({ label, sortKey, sort, onSort }: { label: string; sortKey: string; sort: string; onSort(key: string): void }) {
  const direction = sortDirection(sort, sortKey);
  return (
    <th aria-sort={direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "none"}>
      <button type="button" className="sort" onClick={() => onSort(sortKey)} title={`Sort by ${label}`}>
        {label}
        {direction === "asc" ? " ▲" : direction === "desc" ? " ▼" : ""}
      </button>
    </th>
  );
}

interface RowProps {
  run: Run;
  columns: readonly RunColumn[];
  context: ParseContext;
  selected: boolean;
  editing: string | null;
  onSelect(number: number, extend: boolean): void;
  onHistory(number: number): void;
  onStartEdit(number: number, column: string): void;
  onStopEdit(): void;
  onEdit(run: Run, column: RunColumn, value: unknown): Promise<void>;
}

/** A row re-renders only when its run, its selection or its editing state changes. */
const RunRow = memo(function RunRow({ run, columns, context, selected, editing, onSelect, onHistory, onStartEdit, onStopEdit, onEdit }: RowProps) {
  const className = [selected ? "selected" : "", run.stopped === null ? "running" : ""].join(" ").trim() || undefined;
  return (
    <tr className={className} data-run={run.number}>
      <td>
        <input
          type="checkbox"
          aria-label={`Select run ${run.number}`}
          checked={selected}
          onChange={() => undefined}
          onClick={(event: MouseEvent<HTMLInputElement>) => onSelect(run.number, event.shiftKey)}
        />
      </td>
      <td>
        <button type="button" className="link-button" title="Show the history of this run" onClick={() => onHistory(run.number)}>
          {run.number}
        </button>
      </td>
      {columns.map((column) => {
        const attributo = column.attributo;
        if (attributo && editing === column.id) {
          return (
            <td key={column.id} className="editing">
              <AttributoEditor
                type={attributo.type}
                value={run.attributi[attributo.name]}
                context={context}
                label={`${attributo.name} of run ${run.number}`}
                onCancel={onStopEdit}
                onCommit={async (value) => {
                  await onEdit(run, column, value);
                  onStopEdit();
                }}
              />
            </td>
          );
        }
        const text = column.text(run);
        return (
          <td
            key={column.id}
            className={attributo ? "editable" : undefined}
            title={text}
            tabIndex={attributo ? 0 : undefined}
            onDoubleClick={attributo ? () => onStartEdit(run.number, column.id) : undefined}
            onKeyDown={attributo ? (event) => event.key === "Enter" && onStartEdit(run.number, column.id) : undefined}
          >
            {text}
          </td>
        );
      })}
    </tr>
  );
});
