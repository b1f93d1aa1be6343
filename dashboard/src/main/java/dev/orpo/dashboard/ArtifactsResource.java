package dev.orpo.dashboard;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /runs/{id}/artifacts}: every object-store location the run's events named (dataset, checkpoints with
 * their files and SHA-256, adapter, merged model, eval reports), as an HTML page for people or JSON for tools. It
 * lists what the events say; it does not read the object store.
 */
@Path("/runs/{id}/artifacts")
public class ArtifactsResource {
    @Inject
    RunViews views;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<RunView.Artifact> json(@PathParam("id") String id) {
        return view(id).artifacts();
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String html(@PathParam("id") String id) {
        RunView run = view(id);
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>artifacts of ")
                .append(esc(id)).append("</title><link rel=\"stylesheet\" href=\"/dashboard.css\"></head><body>")
                .append("<h1>Artifacts of ").append(esc(id)).append("</h1><p><a href=\"/#run=").append(esc(id))
                .append("\">back to the run</a></p>");
        if (run.artifacts().isEmpty()) {
            h.append("<p>No artifacts yet.</p>");
        }
        h.append("<table class=\"artifacts\"><tr><th>kind</th><th>step</th><th>URI</th><th>files (SHA-256)</th></tr>");
        for (RunView.Artifact a : run.artifacts()) {
            h.append("<tr><td>").append(esc(a.kind())).append("</td><td>")
                    .append(a.step() == null ? "" : a.step()).append("</td><td><code>").append(esc(a.uri()))
                    .append("</code></td><td>");
            for (Map.Entry<String, String> f : a.files().entrySet()) {
                h.append("<div><code>").append(esc(f.getKey())).append("</code> <small>").append(esc(f.getValue()))
                        .append("</small></div>");
            }
            h.append("</td></tr>");
        }
        return h.append("</table></body></html>").toString();
    }

    private RunView view(String id) {
        return views.view(RunsResource.valid(id)).orElseThrow(() -> new NotFoundException("run " + id + " not seen"));
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
