package dev.orpo.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard against a real broker: events published on the pipeline topics show up in its API and SSE stream. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class DashboardApiTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URI base;

    @Inject
    RunViews views;

    @Test
    void runViewReflectsEveryPublishedEvent() {
        String runId = RunIds.newRunId();
        RunEvents run = new RunEvents(runId);
        topics.publishEvent(run.requested());
        topics.publishEvent(run.started());
        for (long step = 1; step <= 4; step++) {
            topics.publishEvent(run.train(step));
        }
        topics.publishEvent(run.eval(2));
        topics.publishEvent(run.eval(4));
        topics.publishEvent(run.checkpoint(4));
        topics.publishEvent(run.evaluation("checkpoint", 4, 30));

        await().atMost(WAIT).until(() -> get("/api/runs/" + runId).statusCode() == 200
                && json("/api/runs/" + runId).path("evaluation").has("table")
                && json("/api/runs/" + runId).path("train").path("loss").size() == 4);
        JsonNode view = json("/api/runs/" + runId);
        assertEquals("training", view.path("status").asText());
        assertEquals("tiny-llama", view.path("model").asText());
        assertEquals(List.of("requested", "training_started", "checkpoint_saved", "evaluation_completed"),
                texts(view.path("timeline"), "stage"));
        assertEquals(List.of("1", "2", "3", "4"), texts(view.path("train").path("loss"), "step"));
        assertEquals(2.5, view.path("train").path("loss").get(0).path("value").asDouble());
        assertEquals(10, view.path("train").size(), view.path("train").toString());
        assertEquals(List.of("2", "4"), texts(view.path("eval").path("eval_rewards/margins"), "step"));
        assertEquals(4, view.path("progress").path("step").asLong());
        assertEquals(48.0, view.path("evaluation").path("table").path("tuned").path("hellaswag/acc_norm").asDouble());
        assertEquals(List.of("checkpoint", "eval"), texts(view.path("artifacts"), "kind"));
        assertEquals(run.checkpointUri(4), view.path("artifacts").get(0).path("uri").asText());

        JsonNode listed = find(json("/api/runs"), runId);
        assertEquals("training", listed.path("status").asText());
        assertEquals(4, listed.path("timeline").size());
        assertEquals(Json.toJson(views.view(runId).orElseThrow().artifacts()),
                jsonAccepting("/runs/" + runId + "/artifacts", "application/json").toString());
        String html = getAccepting("/runs/" + runId + "/artifacts", "text/html").body();
        assertTrue(html.contains(run.checkpointUri(4)) && html.contains("adapter_model.safetensors"), html);
    }

    @Test
    void sseReplaysTheRunsEventsThenPushesEachNewOneAsItArrives() {
        String runId = RunIds.newRunId();
        RunEvents run = new RunEvents(runId);
        topics.publishEvent(run.requested());
        await().atMost(WAIT).until(() -> views.view(runId).isPresent());

        try (SseClient sse = new SseClient(HTTP, base.resolve("/api/runs/" + runId + "/events"))) {
            await().atMost(WAIT).until(() -> sse.events().size() == 1 && views.followers(runId) == 1);
            assertEquals(200, sse.head().statusCode());
            assertEquals("TrainingRequested", sse.events().get(0).path("type").asText());
            assertTrue(sse.head().headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));

            TrainingProgressed step = run.train(1);
            topics.publishEvent(step);
            await().atMost(WAIT).until(() -> sse.events().size() == 2);
            JsonNode pushed = sse.events().get(1);
            assertEquals(Topics.TRAINING_PROGRESSED, pushed.path("topic").asText());
            assertEquals(step.eventId(), pushed.path("event").path("event_id").asText());
            assertEquals(2.5, pushed.path("event").path("metrics").path("loss").asDouble());
            assertTrue(pushed.path("seq").asLong() > sse.events().get(0).path("seq").asLong());
        }
        await().atMost(WAIT).until(() -> views.followers(runId) == 0);
    }

    @Test
    void malformedRecordLandsInTheDashboardsDeadLetterTopicAndTheRunsLaterEventsStillApply() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": \"oops".getBytes(StandardCharsets.UTF_8);
        topics.assertDeadLettered(Topics.TRAINING_PROGRESSED, runId, garbage, Topics.DLQ_DASHBOARD_EVENTS,
                "malformed event on " + Topics.TRAINING_PROGRESSED, WAIT);
        topics.publishEvent(new RunEvents(runId).requested());

        await().atMost(WAIT).until(() -> get("/api/runs/" + runId).statusCode() == 200);
        String deadLettered = get("/q/metrics").body().lines()
                .filter(l -> l.startsWith("orpo_dashboard_events_total{") && l.contains("outcome=\"dead-lettered\""))
                .findFirst().orElse("");
        assertTrue(deadLettered.contains("topic=\"" + Topics.TRAINING_PROGRESSED + "\"")
                && Double.parseDouble(deadLettered.substring(deadLettered.lastIndexOf(' ') + 1)) >= 1, deadLettered);
    }

    @Test
    void unknownRunIs404AndABadRunIdIs400() {
        assertEquals(404, get("/api/runs/" + RunIds.newRunId()).statusCode());
        assertEquals(400, get("/api/runs/NOT_A_RUN").statusCode());
    }

    @Test
    void consumesEveryEventTopicInItsOwnGroupFromTheBeginning() {
        var config = ConfigProvider.getConfig();
        assertEquals(Topics.eventTopics(), Arrays.asList(
                config.getValue("mp.messaging.incoming.events.topics", String.class).split(",")));
        assertTrue(config.getValue("mp.messaging.incoming.events.group.id", String.class)
                .matches("orpo-dashboard-[0-9a-f-]{36}"));
        assertEquals("earliest", config.getValue("mp.messaging.incoming.events.auto.offset.reset", String.class));
    }

    @Test
    void servesThePageHealthAndMetrics() {
        String page = get("/").body();
        assertTrue(page.contains("<script src=\"/dashboard.js\"></script>") && !page.contains("http"), page);
        assertTrue(get("/dashboard.js").body().contains("new EventSource("));
        await().atMost(WAIT).until(() -> get("/q/health/ready").statusCode() == 200);
        assertEquals(200, get("/q/health/live").statusCode());
        assertTrue(get("/q/metrics").body().contains("orpo_dashboard_runs"));
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    private static JsonNode find(JsonNode runs, String runId) {
        for (JsonNode r : runs) {
            if (runId.equals(r.path("run_id").asText())) {
                return r;
            }
        }
        throw new AssertionError("run " + runId + " not listed in " + runs);
    }

    private JsonNode json(String path) {
        return jsonAccepting(path, "application/json");
    }

    private JsonNode jsonAccepting(String path, String accept) {
        try {
            return Json.mapper().readTree(getAccepting(path, accept).body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        }
    }

    private HttpResponse<String> get(String path) {
        return getAccepting(path, "*/*");
    }

    private HttpResponse<String> getAccepting(String path, String accept) {
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Accept", accept)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + path, e);
        }
    }
}
