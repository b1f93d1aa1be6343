package dev.orpo.cli;

import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.EvalSpec;
import dev.orpo.contracts.request.MergeSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.TrainingRequest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WatchEndTest {
    private static final String RUN = "run-a";
    private static final Instant T = Instant.parse("2026-11-28T05:00:00Z");

    private static TrainingRequest request(boolean merge, boolean eval) {
        return new TrainingRequest(ModelSpec.of("m"), DatasetSpec.of("d.jsonl"), null, null, null, null,
                new MergeSpec(merge, null, List.of(10L), null),
                new EvalSpec(eval, null, null, null, null, null, null));
    }

    private static TrainingCompleted completed(String run, long step, TrainingRequest r) {
        return new TrainingCompleted("c", run, 1, T, null, step, "s3://x/", Map.of(), 1, false, r);
    }

    private static EvaluationCompleted evaluated(String target, long step) {
        return new EvaluationCompleted("e", RUN, 1, T, null, target, step, Map.of(), "s3://x/eval/");
    }

    private static ModelMerged merged(long step) {
        return new ModelMerged("m", RUN, 1, T, null, step, "s3://x/merged/", "float32", 3, 10, request(true, false));
    }

    private static OptionalInt feed(WatchEnd end, PipelineEvent... events) {
        OptionalInt last = OptionalInt.empty();
        for (PipelineEvent e : events) {
            last = end.exitCode(e);
            if (last.isPresent()) {
                return last;
            }
        }
        return last;
    }

    @Test
    void runEndsWithTheMergedModelsEvaluationOfTheFinalStep() {
        WatchEnd end = new WatchEnd(RUN, null);

        // the merge.steps checkpoint (10) and its evaluation come first and do not end the watch
        assertEquals(OptionalInt.empty(), feed(end, evaluated("merged", 10), evaluated("checkpoint", 20),
                completed(RUN, 20, request(true, true)), evaluated("checkpoint", 20)));
        assertEquals(OptionalInt.of(0), end.exitCode(evaluated("merged", 20)));
    }

    @Test
    void withoutEvaluationTheFinalMergeEndsTheRun() {
        WatchEnd end = new WatchEnd(RUN, null);

        assertEquals(OptionalInt.empty(), feed(end, completed(RUN, 20, request(true, false)), merged(10)));
        assertEquals(OptionalInt.of(0), end.exitCode(merged(20)));
    }

    @Test
    void withoutMergingTrainingCompletedEndsTheRun() {
        assertEquals(OptionalInt.of(0), new WatchEnd(RUN, null).exitCode(completed(RUN, 20, request(false, true))));
    }

    @Test
    void runFailedEndsWithOneEvenWithUntil() {
        RunFailed failed = RunFailed.of(RUN, null, "dataset", "no rows", null);

        assertEquals(OptionalInt.of(1), new WatchEnd(RUN, null).exitCode(failed));
        assertEquals(OptionalInt.of(1), new WatchEnd(RUN, "ModelMerged").exitCode(failed));
    }

    @Test
    void otherRunsEventsAreIgnored() {
        WatchEnd end = new WatchEnd(RUN, null);

        assertEquals(OptionalInt.empty(), end.exitCode(RunFailed.of("run-b", null, "dataset", "x", null)));
        assertEquals(OptionalInt.empty(), end.exitCode(completed("run-b", 5, request(false, false))));
    }

    @Test
    void untilMatchesTheRecordNameInAnyCase() {
        WatchEnd end = new WatchEnd(null, "trainingstarted");
        var started = new TrainingStarted("s", "run-z", 1, T, null, 10, 0, "cpu()", 1, 2);

        assertEquals(OptionalInt.empty(), end.exitCode(completed("run-z", 5, request(false, false))));
        assertEquals(OptionalInt.of(0), end.exitCode(started));
    }

    @Test
    void watchingAllRunsNeverEndsByItself() {
        WatchEnd end = new WatchEnd(null, null);

        assertEquals(OptionalInt.empty(), feed(end, RunFailed.of(RUN, null, "x", "y", null),
                completed(RUN, 1, request(false, false))));
    }
}
