import { useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { fetchClient } from "../api/client";
import { useBeamtimes, useSession } from "../api/queries";
import { ConnectionBanner } from "../live/LiveProvider";
import { Link, navigate, usePathname } from "../router";

export interface NavItem {
  label: string;
  /** Path below `/beamtimes/{bt}`, "" for the overview. */
  suffix: string;
}

function BeamtimeSelector({ bt }: { bt: number | null }) {
  const beamtimes = useBeamtimes();
  const pathname = usePathname();
  const items = beamtimes.data?.items ?? [];
  const switchTo = (value: string) => {
    if (value === "") return navigate("/");
    // Stay on the same kind of page: the runs of one beamtime lead to the runs of the other.
    const suffix = bt === null ? "" : pathname.replace(/^\/beamtimes\/\d+/, "");
    navigate(`/beamtimes/${value}${suffix === "/edit" ? "" : suffix}`);
  };
  return (
    <select aria-label="Beamtime" className="beamtime-selector" value={bt ?? ""} onChange={(event) => switchTo(event.target.value)}>
      <option value="">All beamtimes…</option>
      {items.map((beamtime) => (
        <option key={beamtime.id} value={beamtime.id}>
          {beamtime.external_id}
          {beamtime.title ? ` — ${beamtime.title}` : ""}
        </option>
      ))}
    </select>
  );
}

function SessionBadge() {
  const session = useSession();
  const client = useQueryClient();
  if (session.data?.mode === "user") {
    const signOut = async () => {
      await fetchClient.POST("/api/auth/logout");
      client.clear();
      navigate("/signin");
    };
    return (
      <span className="session">
        {session.data.me.display_name}{" "}
        <button type="button" className="link-button" onClick={signOut}>
          Sign out
        </button>
      </span>
    );
  }
  if (session.data?.mode === "anonymous") return <Link to="/signin">Sign in</Link>;
  return null;
}

export function Layout({ bt, nav, children }: { bt: number | null; nav: NavItem[]; children: ReactNode }) {
  const pathname = usePathname();
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">
          amarcord
        </Link>
        <BeamtimeSelector bt={bt} />
        {bt !== null && (
          <nav>
            {nav.map((item) => {
              const to = `/beamtimes/${bt}${item.suffix}`;
              return (
                <Link key={item.suffix} to={to} className={pathname === to ? "active" : undefined}>
                  {item.label}
                </Link>
              );
            })}
          </nav>
        )}
        <span className="spacer" />
        <SessionBadge />
      </header>
      <ConnectionBanner />
      <main>{children}</main>
    </div>
  );
}
