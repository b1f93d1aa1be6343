package dev.orpo.reliability;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingStarted;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many runs submitted at once: to one trainer replica, every run is trained, once, in the order its dataset was
 * prepared; to three replicas, every run is trained by exactly one of them, once. The wall time of both is reported
 * (training is CPU-bound: on 2 cores three replicas share the same 2 cores). The count is
 * {@code -Dorpo.reliability.load-runs} (CI's size in this module's pom; the figure is 20).
 */
@ExtendWith(SharedPipeline.class)
@Order(50)
class LoadTest {
    private static final Duration ALL = Duration.ofMinutes(30);
    private static final String STEPS = "training: {max_steps: 10}";

    private final Pipeline pipeline;
    private final FaultReport report;
    private final Runs runs;
    /** replicas -> which replica received how many runs */
    private final Map<Integer, String> spread = new java.util.TreeMap<>();

    LoadTest(Pipeline pipeline, FaultReport report) {
        this.pipeline = pipeline;
        this.report = report;
        this.runs = new Runs(pipeline);
    }

    @Test
    void runsSubmittedAtOnceAreEachTrainedOnceByOneReplicaOrSeveral() {
        int n = Integer.getInteger("orpo.reliability.load-runs", 3);
        Duration one = submitAndTrain(n, 1);
        pipeline.addTrainers(3);
        try {
            Duration three = submitAndTrain(n, 3);
            report.note(String.format(Locale.ROOT, "load: %d runs (%s) submitted at once: 1 trainer replica %.1f s,"
                    + " 3 replicas %.1f s (ratio %.2f); every run started and completed training once; runs per replica"
                    + " %s", n, STEPS, one.toMillis() / 1000.0, three.toMillis() / 1000.0,
                    (double) one.toMillis() / three.toMillis(), spread.get(3)));
        } finally {
            pipeline.removeExtraTrainers();
        }
    }

    /** Submits n runs at once and waits until all are trained; returns the wall time from submit to the last. */
    private Duration submitAndTrain(int n, int replicas) {
        Instant t0 = Instant.now();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(pipeline.submit(pipeline.request(STEPS)));
        }
        Instant last = t0;
        for (String id : ids) {
            runs.awaitTrained(id, ALL);
            last = max(last, pipeline.log().records(id, TrainingCompleted.class).get(0).readAt());
        }
        List<ServiceJvm> trainers = pipeline.allServices().stream()
                .filter(s -> s.service().equals("trainer-service")).toList();
        assertEquals(replicas, trainers.size());
        Map<String, Integer> used = new java.util.TreeMap<>();
        for (String id : ids) {
            assertEquals(1, pipeline.log().events(id, TrainingStarted.class).size(), id + ": started once");
            assertEquals(1, pipeline.log().events(id, TrainingCompleted.class).size(), id + ": completed once");
            assertEquals(Map.of(), runs.duplicateStateEvents(id), id);
            // the replicas whose consumer received the run (its /consumed/<run> entry); one of them trained it
            long received = trainers.stream().filter(t -> t.get("consumed/" + id).statusCode() == 200).count();
            assertTrue(received >= 1 && received <= replicas, id + " received by " + received);
            used.merge(trainers.stream().filter(t -> t.get("consumed/" + id).statusCode() == 200)
                    .map(ServiceJvm::instance).findFirst().orElseThrow(), 1, Integer::sum);
        }
        if (replicas == 1) {
            assertEquals(order(ids, DatasetPrepared.class), order(ids, TrainingStarted.class),
                    "one replica trains runs in the order their datasets were prepared");
        }
        spread.put(replicas, used.toString());
        return Duration.between(t0, last);
    }

    private List<String> order(List<String> ids, Class<? extends dev.orpo.contracts.events.PipelineEvent> type) {
        return ids.stream().sorted(Comparator.comparing(id -> pipeline.log().records(id, type).get(0).readAt()))
                .toList();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
