import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { isProblem } from "./api/problem";
import { SESSION_KEY, type Session } from "./api/queries";
import { App } from "./App";
import { navigate } from "./router";
import "./styles.css";

/** A request refused for lack of a session sends the person to the sign-in page. */
function onError(error: unknown) {
  if (!isProblem(error, 401) || window.location.pathname === "/signin") return;
  const session = client.getQueryData<Session>(SESSION_KEY);
  if (session?.mode === "open") return;
  const next = window.location.pathname + window.location.search;
  navigate(`/signin?next=${encodeURIComponent(next)}`, { replace: true });
}

const client: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      refetchOnWindowFocus: false,
      // Retrying only helps against a server that is briefly away, never against a 4xx.
      retry: (failures, error) => failures < 2 && (!isProblem(error) || error.status === 0 || error.status >= 500),
    },
  },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
