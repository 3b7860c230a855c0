import { moveColumn } from "../../lib/columnPrefs";
import type { RunColumn } from "../../lib/runColumns";

interface Props {
  columns: ReadonlyMap<string, RunColumn>;
  order: readonly string[];
  visible: readonly string[];
  onChange(order: string[], hidden: string[]): void;
  onReset(): void;
}

/** Which columns to show and in which order; the run table remembers the choice per beamtime. */
export function ColumnChooser({ columns, order, visible, onChange, onReset }: Props) {
  const shown = new Set(visible);
  const hiddenOf = (ids: readonly string[]) => ids.filter((id) => !shown.has(id));
  return (
    <details className="popover">
      <summary>Columns ({visible.length}/{order.length})</summary>
      <div className="popover-body column-chooser">
        <ul>
          {order.map((id, index) => {
            const column = columns.get(id);
            if (!column) return null;
            return (
              <li key={id}>
                <label>
                  <input
                    type="checkbox"
                    checked={shown.has(id)}
                    onChange={(event) => {
                      const hidden = new Set(hiddenOf(order));
                      if (event.target.checked) hidden.delete(id);
                      else hidden.add(id);
                      onChange([...order], [...hidden]);
                    }}
                  />
                  {column.header}
                  {column.attributo?.group && column.attributo.group !== "manual" ? <small className="muted"> ({column.attributo.group})</small> : null}
                </label>
                <span className="move">
                  <button type="button" aria-label={`Move ${column.header} up`} disabled={index === 0} onClick={() => onChange(moveColumn(order, id, -1), hiddenOf(order))}>
                    ↑
                  </button>
                  <button type="button" aria-label={`Move ${column.header} down`} disabled={index === order.length - 1} onClick={() => onChange(moveColumn(order, id, 1), hiddenOf(order))}>
                    ↓
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => onChange([...order], [])}>
            Show all
          </button>
          <button type="button" className="secondary" onClick={onReset}>
            Default layout
          </button>
        </div>
      </div>
    </details>
  );
}
