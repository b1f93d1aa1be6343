package dev.orpo.trainer;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.ServiceHttp;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Two replicas, one run: the lease another (simulated) replica holds in S3 keeps this one from training the run
 * twice after a rebalance, and an expired lease (that replica died) is taken over. A lease of this replica's own id (its
 * earlier incarnation, killed) is taken over at once.
 */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class TrainingLeaseServiceTest extends SharedStackTest {
    private static final Duration RUN = Duration.ofSeconds(180);
    private static final ObjectStoreLayout LAYOUT = ObjectStoreLayout.defaults();
    /** This test's replica id ({@code %test.orpo.trainer.replica-id}). */
    private static final String THIS_REPLICA = "trainer-under-test";

    @TempDir
    Path tmp;

    @TestHTTPResource("/")
    URI base;

    @Inject
    ObjectStore store;

    @Test
    void runLeasedByALiveReplicaWaitsAndIsNotTrainedHereWhenThatReplicaCompletesIt() {
        String runId = RunIds.newRunId();
        lease(runId, "trainer-elsewhere", Instant.now().plus(Duration.ofMinutes(10)));
        publishTwoStepRun(runId);

        await().atMost(RUN).until(() -> consumed(runId).contains("waiting: leased by trainer-elsewhere"));
        // the other replica finishes the run
        store.putBytes(LAYOUT.trainingCompleteKey(runId), "{}".getBytes(StandardCharsets.UTF_8));

        await().atMost(RUN).until(() -> consumed(runId).contains("completed by the replica holding its lease"));
        assertEquals(List.of(LAYOUT.trainingCompleteKey(runId), leaseKey(runId)),
                store.list(LAYOUT.checkpointsPrefix(runId)), "no checkpoint written here, the other's lease kept");
    }

    @Test
    void expiredLeaseOfADeadReplicaIsTakenOverAndReleasedWhenTheRunEnds() {
        String runId = RunIds.newRunId();
        lease(runId, "trainer-dead", Instant.now().minus(Duration.ofMinutes(1)));
        publishTwoStepRun(runId);

        TrainingCompleted completed = TestTopics.value(topics.awaitRecord(Topics.TRAINING_COMPLETED,
                r -> runId.equals(r.key()), RUN), TrainingCompleted.class);
        assertEquals(2, completed.finalStep());
        await().atMost(RUN).until(() -> !store.exists(leaseKey(runId)));
        assertFalse(consumed(runId).contains("waiting"));
    }

    @Test
    void leaseLeftByThisReplicasEarlierIncarnationIsTakenOverAtOnce() {
        // what a kill -9 leaves: this replica id's lease, valid for another 10 minutes; a replacement with the same
        // identity must not wait for it (the lease TTL in tests is 3 s, so "at once" means well inside 10 minutes)
        String runId = RunIds.newRunId();
        lease(runId, THIS_REPLICA, Instant.now().plus(Duration.ofMinutes(10)));
        publishTwoStepRun(runId);

        TrainingCompleted completed = TestTopics.value(topics.awaitRecord(Topics.TRAINING_COMPLETED,
                r -> runId.equals(r.key()), RUN), TrainingCompleted.class);
        assertEquals(2, completed.finalStep());
        assertFalse(consumed(runId).contains("waiting"), "never waited for its own lease");
        await().atMost(RUN).until(() -> !store.exists(leaseKey(runId)));
    }

    private void publishTwoStepRun(String runId) {
        TrainerTestRuns.publish(store, topics, runId, SyntheticPrepared.model(tmp.resolve("model"), 7),
                SyntheticPrepared.dataset(tmp.resolve("dataset"), 12, 4, 11),
                TrainerTestRuns.request(store, runId, "\"max_steps\": 2"));
    }

    private void lease(String runId, String owner, Instant expiresAt) {
        store.putBytes(leaseKey(runId), ("{\"owner\": \"" + owner + "\", \"expires_at\": \"" + expiresAt + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String leaseKey(String runId) {
        return LAYOUT.trainingLeaseKey(runId);
    }

    private String consumed(String runId) {
        return ServiceHttp.get(base, "/consumed/" + runId).body();
    }
}
