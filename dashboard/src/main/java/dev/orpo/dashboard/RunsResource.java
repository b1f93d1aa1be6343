package dev.orpo.dashboard;

import dev.orpo.contracts.RunIds;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.List;

/**
 * The dashboard's JSON API.
 * <ul>
 *   <li>{@code GET /api/runs}: every run, newest first, with status and stage timeline</li>
 *   <li>{@code GET /api/runs/{id}}: the full {@link RunView}; 404 for a run not seen</li>
 *   <li>{@code GET /api/runs/{id}/events?after=SEQ}: Server-Sent Events, one {@link RunEvent} (JSON) per event of the
 *       run with a sequence number above SEQ (default 0: all kept), then each new one as it is consumed</li>
 * </ul>
 */
@Path("/api/runs")
public class RunsResource {
    @Inject
    RunViews views;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<RunView.Summary> list() {
        return views.list();
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public RunView one(@PathParam("id") String id) {
        return views.view(valid(id)).orElseThrow(() -> new NotFoundException("run " + id + " not seen"));
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<RunEvent> events(@PathParam("id") String id, @QueryParam("after") @DefaultValue("0") long after) {
        return views.follow(valid(id), after);
    }

    static String valid(String runId) {
        if (!RunIds.isValid(runId)) {
            throw new BadRequestException("not a run id: " + runId);
        }
        return runId;
    }
}
