package dev.orpo.dataset;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request from Kafka that names places outside what the service may read (another bucket, {@code file:}, a local
 * path outside {@code orpo.sources.local-roots}, {@code ..}) ends with RunFailed stage {@code request}, one error per
 * field, no stack trace, and nothing read or written.
 */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class HostileSourcesTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    ObjectStore store;

    @Test
    void requestNamingForbiddenPlacesFailsNamingEachFieldWithoutAStackTrace() throws Exception {
        String runId = RunIds.newRunId();
        Path outside = Files.createTempDirectory("orpo-outside-root");
        TrainingRequested requested = TrainingRequested.of(runId, Json.fromBytes(("""
                {"model": {"name_or_path": "%s"}, "dataset": {"uri": "s3://not-orpo/pairs.jsonl"},
                 "eval": {"tasks": ["file:///etc/passwd", "s3://orpo/runs/../secrets/x.jsonl"]}}"""
                .formatted(outside)).getBytes(StandardCharsets.UTF_8), TrainingRequest.class));
        topics.publishEvent(requested);

        var record = topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT);
        RunFailed failed = TestTopics.value(record, RunFailed.class);
        assertEquals("request", failed.stage());
        assertEquals(List.of("model.name_or_path", "dataset.uri", "eval.tasks[0]", "eval.tasks[1]"),
                failed.errors().stream().map(FieldError::path).toList(), failed.errors().toString());
        assertTrue(failed.errors().get(0).reason().contains("outside the allowed roots"), failed.errors().toString());
        assertTrue(failed.errors().get(1).reason().contains("not the pipeline's bucket orpo"), failed.errors().toString());
        String wire = new String(record.value(), StandardCharsets.UTF_8);
        assertFalse(wire.contains("\tat ") || wire.contains("Exception"), wire);
        assertFalse(store.exists("runs/" + runId + "/request.json"));
        assertTrue(store.list("runs/" + runId + "/").isEmpty());
    }
}
