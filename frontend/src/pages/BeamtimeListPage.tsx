import { useBeamtimes } from "../api/queries";
import { QueryState } from "../components/ProblemView";
import { formatDateTime } from "../lib/time";
import { Link, navigate } from "../router";

export function BeamtimeListPage() {
  const beamtimes = useBeamtimes();
  return (
    <section>
      <div className="page-head">
        <h1>Beamtimes</h1>
        <Link to="/beamtimes/new" className="button">
          New beamtime
        </Link>
      </div>
      <QueryState query={beamtimes} what="beamtimes">
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No beamtimes yet. Create the first one to start logging runs.</p>
          ) : (
            <table className="grid clickable">
              <thead>
                <tr>
                  <th>ID</th>
                  <th>Title</th>
                  <th>Beamline</th>
                  <th>Proposal</th>
                  <th>Start</th>
                  <th>End</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {page.items.map((beamtime) => (
                  <tr key={beamtime.id} onClick={() => navigate(`/beamtimes/${beamtime.id}`)}>
                    <td>
                      <Link to={`/beamtimes/${beamtime.id}`}>{beamtime.external_id}</Link>
                    </td>
                    <td>{beamtime.title}</td>
                    <td>{beamtime.beamline}</td>
                    <td>{beamtime.proposal}</td>
                    <td>{formatDateTime(beamtime.start, beamtime.timezone)}</td>
                    <td>{formatDateTime(beamtime.end, beamtime.timezone)}</td>
                    <td>
                      <Link to={`/beamtimes/${beamtime.id}/edit`} onClick={(event) => event.stopPropagation()}>
                        Edit
                      </Link>
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
