package dev.orpo.service;

import dev.orpo.contracts.request.FieldError;
import dev.orpo.stages.StageFailure;
import dev.orpo.store.ObjectStoreException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.NoSuchFileException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FailurePolicyTest {

    @Test
    void unreadableEventsAndUnpublishableOutcomesAreDeadLettered() {
        assertEquals(FailurePolicy.Action.DEAD_LETTER, FailurePolicy.classify(new MalformedEventException("x")));
        assertEquals(FailurePolicy.Action.DEAD_LETTER, FailurePolicy.classify(
                new EventPublishException("broker away", new ConnectException())));
    }

    @Test
    void anOutageAnywhereInTheCauseChainIsRetried() {
        assertEquals(FailurePolicy.Action.RETRY, FailurePolicy.classify(
                new ObjectStoreException("put runs/x", new ConnectException("Connection refused"))));
        assertEquals(FailurePolicy.Action.RETRY, FailurePolicy.classify(
                new UncheckedIOException(new SocketTimeoutException("read timed out"))));
        // a stage that wrapped the outage into its own failure is still retried
        assertEquals(FailurePolicy.Action.RETRY, FailurePolicy.classify(new StageFailure("merge", "cannot download",
                List.of(), new ObjectStoreException("get", new java.net.SocketException("Connection reset")))));
    }

    @Test
    void badInputAndBugsFailTheRun() {
        assertEquals(FailurePolicy.Action.RUN_FAILED, FailurePolicy.classify(new StageFailure("dataset", "bad row",
                List.of(new FieldError("dataset.rows[3]", "empty")))));
        assertEquals(FailurePolicy.Action.RUN_FAILED, FailurePolicy.classify(
                new UncheckedIOException(new NoSuchFileException("/models/x/config.json"))));
        assertEquals(FailurePolicy.Action.RUN_FAILED, FailurePolicy.classify(new NullPointerException()));
        assertEquals(FailurePolicy.Action.RUN_FAILED, FailurePolicy.classify(new IOException("disk full")));
    }

    @Test
    void runFailedKeepsAStageFailuresStageReasonAndErrors() {
        var errors = List.of(new FieldError("lora.r", "must be > 0"));
        var f = FailurePolicy.describe("dataset", null, new StageFailure("request", "invalid request", errors));

        assertEquals(new FailurePolicy.RunFailure("request", "invalid request", errors), f);
    }

    @Test
    void aTrainingFailureNamesItsFieldAndTheTargetPrefixesTheReason() {
        var f = FailurePolicy.describe("training", "checkpoint step 4",
                new dev.orpo.stages.train.StageFailure("quantization.mode", "unknown quantization.mode 'x'"));

        assertEquals("training", f.stage());
        assertEquals("checkpoint step 4: unknown quantization.mode 'x'", f.reason());
        assertEquals(List.of(new FieldError("quantization.mode", "unknown quantization.mode 'x'")), f.errors());
    }

    @Test
    void aBugIsReportedWithItsTypeAndMessage() {
        var f = FailurePolicy.describe("merge", null, new IllegalStateException("no tensor lm_head"));

        assertEquals("merge failed: IllegalStateException: no tensor lm_head", f.reason());
        assertEquals(List.of(), f.errors());
    }
}
