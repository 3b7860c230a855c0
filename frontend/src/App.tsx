import type { ReactNode } from "react";
import { Layout, type NavItem } from "./components/Layout";
import { LiveProvider } from "./live/LiveProvider";
import { AccessPage } from "./pages/AccessPage";
import { AttributiPage } from "./pages/AttributiPage";
import { BeamtimeFormPage } from "./pages/BeamtimeFormPage";
import { BeamtimeListPage } from "./pages/BeamtimeListPage";
import { ChemicalsPage } from "./pages/ChemicalsPage";
import { EventLogPage } from "./pages/EventLogPage";
import { ExperimentTypesPage } from "./pages/ExperimentTypesPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { RunOverviewPage } from "./pages/RunOverviewPage";
import { RunsPage } from "./pages/RunsPage";
import { SchedulePage } from "./pages/SchedulePage";
import { SignInPage } from "./pages/SignInPage";
import { matchPath, usePathname } from "./router";

type Params = Record<string, string>;

/** Every page of the app: add a route here and, if it belongs to a beamtime, a NAV entry. */
const ROUTES: { pattern: string; render: (params: Params) => ReactNode }[] = [
  { pattern: "/", render: () => <BeamtimeListPage /> },
  { pattern: "/signin", render: () => <SignInPage /> },
  { pattern: "/beamtimes/new", render: () => <BeamtimeFormPage bt={null} /> },
  { pattern: "/beamtimes/:bt", render: (p) => <RunOverviewPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/edit", render: (p) => <BeamtimeFormPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/runs", render: (p) => <RunsPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/events", render: (p) => <EventLogPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/attributi", render: (p) => <AttributiPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/access", render: (p) => <AccessPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/chemicals", render: (p) => <ChemicalsPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/experiment-types", render: (p) => <ExperimentTypesPage bt={Number(p.bt)} /> },
  { pattern: "/beamtimes/:bt/schedule", render: (p) => <SchedulePage bt={Number(p.bt)} /> },
];

const NAV: NavItem[] = [
  { label: "Overview", suffix: "" },
  { label: "Runs", suffix: "/runs" },
  { label: "Event log", suffix: "/events" },
  { label: "Chemicals", suffix: "/chemicals" },
  { label: "Data sets", suffix: "/experiment-types" },
  { label: "Schedule", suffix: "/schedule" },
  { label: "Attributi", suffix: "/attributi" },
  { label: "Access", suffix: "/access" },
  { label: "Settings", suffix: "/edit" },
];

function resolve(pathname: string): { page: ReactNode; bt: number | null } {
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, pathname);
    if (params === null) continue;
    const bt = params.bt !== undefined && /^\d+$/.test(params.bt) ? Number(params.bt) : null;
    if (params.bt !== undefined && bt === null) break;
    return { page: route.render(params), bt };
  }
  return { page: <NotFoundPage />, bt: null };
}

export function App() {
  const pathname = usePathname();
  const { page, bt } = resolve(pathname);
  return (
    <LiveProvider bt={bt}>
      <Layout bt={bt} nav={NAV}>
        {/* A new beamtime starts its pages afresh (no state carried over). */}
        <div key={bt ?? "none"}>{page}</div>
      </Layout>
    </LiveProvider>
  );
}
