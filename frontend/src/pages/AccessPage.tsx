import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { $api, fetchClient } from "../api/client";
import { forBeamtime } from "../api/keys";
import { useBeamtime, useSession } from "../api/queries";
import { ProblemView, QueryState } from "../components/ProblemView";
import { formatDateTime, fromLocalInput } from "../lib/time";

type Role = "viewer" | "editor" | "owner";
const ROLES: Role[] = ["viewer", "editor", "owner"];
const MEMBERS = "/api/beamtimes/{bt}/members" as const;
const TOKENS = "/api/beamtimes/{bt}/tokens" as const;

/**
 * Who may do what in a beamtime, for its owners: members with their roles, and the API tokens
 * that DAQ systems and scripts use. A token's secret is shown once, right after creating it.
 */
export function AccessPage({ bt }: { bt: number }) {
  const session = useSession();
  const me = session.data?.mode === "user" ? session.data.me : null;
  const owner = me === null || me.admin || me.memberships.some((membership) => membership.beamtime_id === bt && membership.role === "owner");
  if (session.data?.mode === "open") {
    return (
      <section className="narrow">
        <h1>Members and tokens</h1>
        <p>This server runs without access control (AMARCORD_AUTH=none): everyone may do everything, so there are no members or tokens to manage.</p>
      </section>
    );
  }
  if (!owner) {
    return (
      <section className="narrow">
        <h1>Members and tokens</h1>
        <p className="muted">Only the owners of this beamtime manage its members and tokens.</p>
      </section>
    );
  }
  return (
    <section className="narrow-wide">
      <h1>Members and tokens</h1>
      <Members bt={bt} />
      <Tokens bt={bt} />
    </section>
  );
}

function useRefresh(bt: number) {
  const client = useQueryClient();
  return () => client.invalidateQueries({ predicate: forBeamtime(bt, [MEMBERS, TOKENS]) });
}

function Members({ bt }: { bt: number }) {
  const members = $api.useQuery("get", MEMBERS, { params: { path: { bt } } });
  const refresh = useRefresh(bt);
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [error, setError] = useState<unknown>(null);

  const attempt = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await refresh();
    } catch (problem) {
      setError(problem);
    }
  };
  const add = (event: FormEvent) => {
    event.preventDefault();
    void attempt(async () => {
      await fetchClient.POST(MEMBERS, { params: { path: { bt } }, body: { username: username.trim(), role } });
      setUsername("");
    });
  };

  return (
    <div className="card">
      <h2>Members</h2>
      <QueryState query={members} what="the members">
        {(page) => (
          <table className="grid">
            <tbody>
              {page.items.map((member) => (
                <tr key={member.username}>
                  <td>
                    {member.display_name} <span className="muted">({member.username})</span>
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${member.username}`}
                      value={member.role}
                      onChange={(event) =>
                        void attempt(() =>
                          fetchClient.PATCH("/api/beamtimes/{bt}/members/{username}", { params: { path: { bt, username: member.username } }, body: { role: event.target.value as Role } }),
                        )
                      }
                    >
                      {ROLES.map((name) => (
                        <option key={name}>{name}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() =>
                        window.confirm(`Remove ${member.username} from this beamtime?`) &&
                        void attempt(() => fetchClient.DELETE("/api/beamtimes/{bt}/members/{username}", { params: { path: { bt, username: member.username } } }))
                      }
                    >
                      remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <form className="toolbar" onSubmit={add}>
        <input value={username} onChange={(event) => setUsername(event.target.value)} placeholder="user name" aria-label="User name to add" required />
        <select value={role} onChange={(event) => setRole(event.target.value as Role)} aria-label="Role">
          {ROLES.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
        <button type="submit">Add member</button>
      </form>
      <ProblemView error={error} />
    </div>
  );
}

function Tokens({ bt }: { bt: number }) {
  const tokens = $api.useQuery("get", TOKENS, { params: { path: { bt } } });
  const beamtime = useBeamtime(bt);
  const timeZone = beamtime.data?.timezone ?? "UTC";
  const refresh = useRefresh(bt);
  const [name, setName] = useState("daq");
  const [role, setRole] = useState<Role>("editor");
  const [expires, setExpires] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSecret(null);
    try {
      const expiresAt = expires ? fromLocalInput(expires, timeZone) : null;
      const { data } = await fetchClient.POST(TOKENS, { params: { path: { bt } }, body: { name, role, expires_at: expiresAt } });
      setSecret(data?.token ?? null);
      await refresh();
    } catch (problem) {
      setError(problem);
    }
  };
  const revoke = async (id: number, tokenName: string) => {
    if (!window.confirm(`Revoke the token “${tokenName}”? Whatever uses it stops working.`)) return;
    try {
      await fetchClient.DELETE("/api/beamtimes/{bt}/tokens/{token_id}", { params: { path: { bt, token_id: id } } });
      await refresh();
    } catch (problem) {
      setError(problem);
    }
  };

  return (
    <div className="card">
      <h2>API tokens</h2>
      <QueryState query={tokens} what="the tokens">
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No tokens. DAQ systems and scripts need one to write runs.</p>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {page.items.map((token) => (
                  <tr key={token.id}>
                    <td>{token.name}</td>
                    <td>{token.role}</td>
                    <td>
                      {formatDateTime(token.created_at, timeZone)} by {token.created_by}
                    </td>
                    <td>{token.expires_at ? formatDateTime(token.expires_at, timeZone) : "never"}</td>
                    <td>
                      <button type="button" className="link-button" onClick={() => void revoke(token.id, token.name)}>
                        revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      <form className="toolbar" onSubmit={create}>
        <input value={name} onChange={(event) => setName(event.target.value)} aria-label="Token name" required />
        <select value={role} onChange={(event) => setRole(event.target.value as Role)} aria-label="Token role">
          {ROLES.map((item) => (
            <option key={item}>{item}</option>
          ))}
        </select>
        <label>
          expires <input type="datetime-local" value={expires} onChange={(event) => setExpires(event.target.value)} aria-label="Expires" />
        </label>
        <button type="submit">Create token</button>
      </form>
      {secret && (
        <div className="secret" role="status">
          Copy the secret now — it is not shown again: <code>{secret}</code>
        </div>
      )}
      <ProblemView error={error} />
    </div>
  );
}
