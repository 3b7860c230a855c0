import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fetchClient } from "../api/client";
import { SESSION_KEY, useSession } from "../api/queries";
import { ProblemView } from "../components/ProblemView";
import { navigate, useSearchParams } from "../router";

/** Only same-site paths are followed after signing in, never a URL from elsewhere. */
function nextPath(raw: string | null): string {
  return raw && raw.startsWith("/") && !raw.startsWith("//") ? raw : "/";
}

export function SignInPage() {
  const [params] = useSearchParams();
  const session = useSession();
  const client = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await fetchClient.POST("/api/auth/login", { body: { username, password } });
      await client.invalidateQueries();
      await client.refetchQueries({ queryKey: SESSION_KEY });
      navigate(nextPath(params.get("next")), { replace: true });
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  if (session.data?.mode === "open") {
    return (
      <section className="narrow">
        <h1>Sign in</h1>
        <p>This server does not ask anyone to sign in: every page is open.</p>
        <button type="button" onClick={() => navigate(nextPath(params.get("next")))}>
          Continue
        </button>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} className="form">
        <label>
          User name
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <ProblemView error={error} title="Signing in failed" />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </section>
  );
}
