package dev.orpo.reliability;

import dev.orpo.stages.merge.StandInHub;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The S3 secret key, {@code HF_TOKEN} and the SASL password the services are configured with never appear in a log, an
 * event, a stored report or an HTTP endpoint. Runs last, so it reads every log and record the whole suite produced,
 * faults included, after a run of its own that uses all three secrets (S3 on every call, the token on a
 * {@code merge.push_to_hub} to the stand-in hub, which refuses any other token, and the SASL JAAS line in every Kafka
 * client's configuration).
 */
@ExtendWith(SharedPipeline.class)
@Order(100)
class SecretsTest {
    private static final Duration RUN = Duration.ofMinutes(10);
    /** Every endpoint under /q/ a service may serve in production, plus the services' own read endpoints. */
    private static final List<String> ENDPOINTS = List.of("q/health", "q/health/live", "q/health/ready",
            "q/health/started", "q/metrics", "q/info", "q/openapi", "q/swagger-ui", "q/dev-ui", "q/arc", "q/arc/beans",
            "q/arc/config", "api/runs");

    private final Pipeline pipeline;

    SecretsTest(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Test
    void configuredSecretsAppearInNoLogEventStoredObjectOrEndpoint() {
        String repo = "reliability/secrets-" + System.nanoTime();
        String runId = pipeline.submit(pipeline.request("{training: {max_steps: 10}, merge: {push_to_hub: \"" + repo
                + "\"}}"));
        new Runs(pipeline).awaitDone(runId, RUN);
        StandInHub.Repo pushed = pipeline.hub().repo(repo);
        assertNotNull(pushed, "the merger pushed with HF_TOKEN (the stand-in refuses any other token)");
        assertTrue(pushed.files().containsKey("config.json"), pushed.files().keySet()::toString);

        Map<String, List<String>> leaks = new TreeMap<>();
        // what was searched, by kind: each kind must have been searched at all
        Map<String, Integer> searched = new TreeMap<>();
        for (ServiceJvm s : pipeline.allServices()) {
            searched.merge("logs", scan(leaks, s.instance() + " log", s.logText()), Integer::sum);
            List<String> paths = new ArrayList<>(ENDPOINTS);
            paths.add("consumed/" + runId);
            paths.add("api/runs/" + runId);
            for (String path : paths) {
                if (s.alive()) {
                    var r = s.get(path);
                    searched.merge("endpoints", scan(leaks, s.instance() + " /" + path + " (" + r.statusCode() + ")", r.body()),
                            Integer::sum);
                }
            }
        }
        for (EventLog.Seen r : pipeline.log().all(r -> true)) {
            searched.merge("records", scan(leaks, r.topic() + "-" + r.partition() + "@" + r.offset(),
                    r.key() + " " + r.headers() + " " + r.text()), Integer::sum);
        }
        for (String key : pipeline.store().list("runs/")) {
            searched.merge("objects", scan(leaks, "s3://orpo/" + key,
                    new String(pipeline.store().getBytes(key), StandardCharsets.ISO_8859_1)), Integer::sum);
        }
        for (var e : pushed.files().entrySet()) {
            searched.merge("hub files", scan(leaks, "hub " + repo + "/" + e.getKey(),
                    new String(e.getValue(), StandardCharsets.ISO_8859_1)), Integer::sum);
        }

        assertEquals(Map.of(), leaks, "secrets found");
        assertEquals(java.util.Set.of("endpoints", "hub files", "logs", "objects", "records"), searched.keySet());
        assertTrue(searched.get("logs") >= Pipeline.SERVICES.size() && searched.get("records") > 50
                && searched.get("objects") > 20, "searched " + searched);
        System.out.println("secrets: searched " + searched);
    }

    /** Records which configured secrets {@code text} contains; returns 1 (one place searched). */
    private int scan(Map<String, List<String>> leaks, String where, String text) {
        pipeline.secrets().forEach((what, secret) -> {
            if (text != null && text.contains(secret)) {
                leaks.computeIfAbsent(where, w -> new ArrayList<>()).add(what);
            }
        });
        return 1;
    }
}
