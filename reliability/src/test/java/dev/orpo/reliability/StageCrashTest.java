package dev.orpo.reliability;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dataset-service, merger-service and eval-service each die ({@code kill -9}) in the middle of their stage of one run:
 * each is restarted, finishes the stage from the redelivered event, publishes its fact once, and no half-written
 * output is ever visible (a stage's marker file is written last).
 */
@ExtendWith(SharedPipeline.class)
@Order(20)
class StageCrashTest {
    private static final Duration RUN = Duration.ofMinutes(10);

    private final Pipeline pipeline;
    private final FaultReport report;
    private final Runs runs;

    StageCrashTest(Pipeline pipeline, FaultReport report) {
        this.pipeline = pipeline;
        this.report = report;
        this.runs = new Runs(pipeline);
    }

    @Test
    void eachStageServiceKilledMidStageFinishesAfterRestartPublishingItsFactOnce() {
        String runId = pipeline.submit(pipeline.request("training: {max_steps: 10}"));

        // dataset-service: killed once it has started preparing (its log says so), before its manifest
        ServiceJvm dataset = pipeline.service("dataset-service");
        awaitLogLine(dataset, "run " + runId + ": preparing dataset");
        Instant datasetKill = kill(dataset);
        assertFalse(pipeline.store().exists("runs/" + runId + "/dataset/manifest.json"), "killed before the manifest");
        assertTrue(pipeline.log().events(runId, DatasetPrepared.class).isEmpty(), "killed before DatasetPrepared");
        pipeline.restart(dataset);
        Instant prepared = readAt(runId, DatasetPrepared.class, e -> true);

        // merger-service: killed as the final checkpoint is announced (it merges at once; ~2 s for this model)
        ServiceJvm merger = pipeline.service("merger-service");
        pipeline.log().await(runId, CheckpointSaved.class, CheckpointSaved::finalCheckpoint, RUN);
        Instant mergerKill = kill(merger);
        boolean mergeUnfinished = !pipeline.store().exists("runs/" + runId + "/merged/_COMPLETE")
                && pipeline.log().events(runId, ModelMerged.class).isEmpty();
        pipeline.restart(merger);
        Instant merged = readAt(runId, ModelMerged.class, e -> true);

        // eval-service: killed as the merged model is announced (it evaluates base and tuned: seconds)
        ServiceJvm eval = pipeline.service("eval-service");
        pipeline.log().await(runId, ModelMerged.class, e -> true, RUN);
        Instant evalKill = kill(eval);
        boolean evalUnfinished = pipeline.log().events(runId, EvaluationCompleted.class).stream()
                .noneMatch(e -> "merged".equals(e.target()));
        pipeline.restart(eval);
        Instant evaluated = readAt(runId, EvaluationCompleted.class, e -> "merged".equals(e.target()));
        runs.awaitDone(runId, RUN);

        assertTrue(mergeUnfinished, "the merger was killed before its merge was complete");
        assertTrue(evalUnfinished, "eval-service was killed before its evaluation was published");
        assertEquals(Map.of(), runs.duplicateStateEvents(runId), "every fact once");
        runs.assertDatasetWhole(runId);
        runs.assertMergedWhole(runId);
        long duplicates = runs.duplicateStateEvents(runId).size();
        report.add(new FaultReport.Row("kill -9 dataset-service", "mid-preparation (after its log's 'preparing')",
                TrainerCrashTest.seconds(datasetKill, prepared), 0, 0, duplicates,
                "recovery = kill until DatasetPrepared; no manifest.json before"));
        report.add(new FaultReport.Row("kill -9 merger-service", "as the final checkpoint is announced",
                TrainerCrashTest.seconds(mergerKill, merged), 0, 0, duplicates,
                "recovery = kill until ModelMerged; _COMPLETE files match the stored objects"));
        report.add(new FaultReport.Row("kill -9 eval-service", "as ModelMerged is announced",
                TrainerCrashTest.seconds(evalKill, evaluated), 0, 0, duplicates,
                "recovery = kill until the merged model's EvaluationCompleted"));
    }

    private static Instant kill(ServiceJvm service) {
        Instant at = Instant.now();
        service.kill();
        return at;
    }

    private <T extends PipelineEvent> Instant readAt(String runId, Class<T> type, Predicate<T> match) {
        pipeline.log().await(runId, type, match, RUN);
        return pipeline.log().records(runId, type).stream().filter(s -> match.test(type.cast(s.event())))
                .map(EventLog.Seen::readAt).findFirst().orElseThrow();
    }

    /** Waits until the service's log has a line with {@code text}. */
    static void awaitLogLine(ServiceJvm service, String text) {
        await(service.instance() + " logging '" + text + "'").atMost(RUN).pollInterval(Duration.ofMillis(50))
                .until(() -> service.logText().contains(text));
    }
}
