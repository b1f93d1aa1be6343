package dev.orpo.service;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** {@code GET /consumed}: recently consumed runs; {@code GET /consumed/{runId}}: one run, 404 when unseen. */
@Path("/consumed")
@Produces(MediaType.APPLICATION_JSON)
public class ConsumedRunsResource {
    @Inject
    ConsumedRuns runs;

    @GET
    public List<ConsumedRuns.Entry> all() {
        return runs.all();
    }

    @GET
    @Path("/{runId}")
    public ConsumedRuns.Entry one(@PathParam("runId") String runId) {
        return runs.find(runId).orElseThrow(() -> new NotFoundException("run " + runId + " not consumed here"));
    }
}
