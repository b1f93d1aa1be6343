package dev.orpo.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;
import dev.orpo.store.Sha256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the suite asserts about one run, from the event log and the object store. */
final class Runs {
    private final EventLog log;
    private final ObjectStore store;

    Runs(Pipeline pipeline) {
        this.log = pipeline.log();
        this.store = pipeline.store();
    }

    /**
     * Waits until the run's merged model is evaluated (its last event), failing at once, with the reason, on a
     * {@code RunFailed}.
     */
    EvaluationCompleted awaitDone(String runId, Duration timeout) {
        return awaitFirst(runId, "evaluated", timeout, () -> log.events(runId, EvaluationCompleted.class).stream()
                .filter(e -> "merged".equals(e.target())).findFirst());
    }

    /** Waits until the run has trained (for runs that neither merge nor evaluate). */
    TrainingCompleted awaitTrained(String runId, Duration timeout) {
        return awaitFirst(runId, "trained", timeout, () -> log.events(runId, TrainingCompleted.class).stream()
                .findFirst());
    }

    /** Waits until {@code done} holds, failing at once, with the reason, should the run fail meanwhile. */
    void awaitUnlessFailed(String runId, String what, Duration timeout, java.util.function.BooleanSupplier done) {
        awaitFirst(runId, what, timeout, () -> done.getAsBoolean() ? Optional.of(true) : Optional.empty());
    }

    private <T> T awaitFirst(String runId, String what, Duration timeout, Supplier<Optional<T>> found) {
        return await("run " + runId + " " + what).atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            var failed = log.events(runId, RunFailed.class);
            if (!failed.isEmpty()) {
                throw new AssertionError("run " + runId + " failed: " + failed.get(0).stage() + ": "
                        + failed.get(0).reason() + " " + failed.get(0).errors());
            }
            return found.get();
        }, Optional::isPresent).orElseThrow();
    }

    /**
     * The state events of the run that exist more than once: per type, and per step for checkpoints and
     * evaluations (by target). Each state fact is published once, whatever crashed in between.
     */
    Map<String, Long> duplicateStateEvents(String runId) {
        Map<String, Long> counts = new TreeMap<>();
        count(counts, runId, DatasetPrepared.class, e -> "DatasetPrepared");
        count(counts, runId, CheckpointSaved.class, e -> "CheckpointSaved step " + e.step());
        count(counts, runId, TrainingCompleted.class, e -> "TrainingCompleted");
        count(counts, runId, ModelMerged.class, e -> "ModelMerged step " + e.step());
        count(counts, runId, EvaluationCompleted.class, e -> "EvaluationCompleted " + e.target() + " " + e.step());
        count(counts, runId, RunFailed.class, e -> "RunFailed");
        counts.replaceAll((k, v) -> v - 1);
        counts.values().removeIf(v -> v == 0);
        return counts;
    }

    private <T extends PipelineEvent> void count(Map<String, Long> counts, String runId, Class<T> type,
                                                 Function<T, String> key) {
        log.events(runId, type).forEach(e -> counts.merge(key.apply(e), 1L, Long::sum));
    }

    /** Training steps (phase train) with no progress event: progress is best effort, but none went missing here. */
    long missingTrainSteps(String runId, long finalStep) {
        var seen = log.events(runId, TrainingProgressed.class).stream().filter(p -> "train".equals(p.phase()))
                .map(TrainingProgressed::step).collect(Collectors.toSet());
        long missing = 0;
        for (long s = 1; s <= finalStep; s++) {
            missing += seen.contains(s) ? 0 : 1;
        }
        return missing;
    }

    /** SHA-256 of the final adapter's weights file. */
    String adapterSha(String runId) {
        TrainingCompleted done = log.events(runId, TrainingCompleted.class).get(0);
        S3Uri dir = S3Uri.parse(done.adapterUri());
        return Sha256.of(store.getBytes(dir.resolve("adapter_model.safetensors").key()));
    }

    /** Every file the dataset's manifest.json lists is stored with the recorded SHA-256. */
    void assertDatasetWhole(String runId) {
        String prefix = "runs/" + runId + "/dataset/";
        JsonNode manifest = json(prefix + "manifest.json");
        assertTrue(manifest.path("shards").size() > 0, "no shards in " + manifest);
        for (JsonNode shard : manifest.path("shards")) {
            assertEquals(shard.path("sha256").asText(), Sha256.of(store.getBytes(prefix + shard.path("file").asText())),
                    prefix + shard.path("file").asText());
        }
    }

    /** Every file the merged model's _COMPLETE lists is stored with the recorded SHA-256. */
    void assertMergedWhole(String runId) {
        String prefix = "runs/" + runId + "/merged/";
        JsonNode files = json(prefix + "_COMPLETE").path("files");
        assertTrue(files.size() > 0, "no files in _COMPLETE of " + runId);
        files.fields().forEachRemaining(f -> assertEquals(f.getValue().asText(),
                Sha256.of(store.getBytes(prefix + f.getKey())), prefix + f.getKey()));
    }

    /** Every checkpoint announced is stored with the SHA-256s its CheckpointSaved lists. */
    void assertCheckpointsWhole(String runId) {
        for (CheckpointSaved c : log.events(runId, CheckpointSaved.class)) {
            S3Uri dir = S3Uri.parse(c.checkpointUri());
            c.files().forEach((name, sha) -> assertEquals(sha, Sha256.of(store.getBytes(dir.resolve(name).key())),
                    c.checkpointUri() + name));
        }
    }

    private JsonNode json(String key) {
        try {
            return Json.mapper().readTree(store.getBytes(key));
        } catch (IOException e) {
            throw new UncheckedIOException(key, e);
        }
    }
}
