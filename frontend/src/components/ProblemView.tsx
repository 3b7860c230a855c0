import { ProblemError } from "../api/problem";

/** Any error the way the server explained it: detail, then what was wrong with which field. */
export function ProblemView({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  if (!(error instanceof ProblemError)) {
    return (
      <div className="problem" role="alert">
        {title && <strong>{title}: </strong>}
        {error instanceof Error ? error.message : String(error)}
      </div>
    );
  }
  return (
    <div className="problem" role="alert">
      <strong>{title ?? error.title}</strong>
      {error.detail && error.detail !== error.title && <span> — {error.detail}</span>}
      {error.errors.length > 0 && (
        <ul>
          {error.errors.map((item, index) => (
            <li key={index}>
              {item.loc.length > 0 && <code>{item.loc.join(".")}</code>} {item.msg}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type QueryLike<T> = { data: T | undefined; error: unknown; isPending: boolean };

/** Loading and failure of a query shown in one way; the content only renders with data. */
export function QueryState<T>({ query, children, what }: { query: QueryLike<T>; children: (data: T) => React.ReactNode; what?: string }) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) return <ProblemView error={query.error} title={what ? `Could not load ${what}` : undefined} />;
  return <p className="muted">Loading{what ? ` ${what}` : ""}…</p>;
}
