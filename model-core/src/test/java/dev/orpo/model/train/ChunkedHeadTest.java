package dev.orpo.model.train;

import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chunked LM head gives the full-logits step's loss, ORPO metrics and gradients, on both step paths. */
class ChunkedHeadTest extends TinyStepModels {

    @Test
    void chunkedStepEqualsFullLogitsStepForDividingAndNonDividingChunks() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.2, false)) {
            int rows = predictingRows();
            int divisor = divisorAtLeast(rows, 8);
            int nonDivisor = rows % 7 != 0 ? 7 : 11;
            assertNotEquals(0, rows % nonDivisor);
            for (int chunk : new int[] {divisor, nonDivisor, rows + 5}) {
                assertChunkedEqualsFull(model, false, chunk);
                assertChunkedEqualsFull(model, true, chunk);
            }
        }
    }

    @Test
    void chunkedStepReachesATrainableUntiedLmHead() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.1, true)) {
            assertTrue(model.lmHead().trainable() && !model.lmHead().tied());
            assertChunkedEqualsFull(model, false, 13);
            assertChunkedEqualsFull(model, true, 13);
        }
    }

    @Test
    void chunkedStepReachesATiedResizedEmbeddingFromBothEnds() {
        try (LlamaModel model = model(TIED, WeightStorage.DENSE, 0.1, true)) {
            assertTrue(model.lmHead().tied() && model.lmHead().trainable());
            assertChunkedEqualsFull(model, false, 10);
            assertChunkedEqualsFull(model, true, 10);
        }
    }

    @Test
    void trainerWithChunkedLogitsLearnsTheSameAdapterAndEvalMetrics() {
        TrainerConfig config = SyntheticRun.fast().with("per_device_train_batch_size", "2")
                .with("gradient_accumulation_steps", "2").with("max_steps", "3");
        List<PreferencePair> rows = SyntheticRun.TRAIN.subList(0, 12);
        List<PreferencePair> eval = SyntheticRun.TRAIN.subList(12, 15);
        Path base = SyntheticRun.base(dir);
        Map<String, float[]> full;
        Map<String, Double> fullEval;
        try (LlamaModel model = SyntheticRun.model(base, manager, 0.1)) {
            OrpoTrainer trainer = new OrpoTrainer(model, config, rows, eval, dir.resolve("full"), "tiny");
            trainer.train();
            full = OrpoTrainerTest.host(model);
            fullEval = trainer.evaluate();
        }
        try (LlamaModel model = SyntheticRun.model(base, manager, 0.1)) {
            OrpoTrainer trainer = new OrpoTrainer(model, config.with("logits_chunk_size", "9")
                    .with("gradient_checkpointing", "true"), rows, eval, dir.resolve("chunked"), "tiny");
            TrainResult r = trainer.train();
            assertEquals(9, TrainerState.read(r.finalCheckpoint()).config().get("logits_chunk_size"));
            AccumulationAndResumeTest.assertClose(full, OrpoTrainerTest.host(model), 1e-5);
            Map<String, Double> chunkedEval = trainer.evaluate();
            assertEquals(fullEval.keySet(), chunkedEval.keySet());
            fullEval.forEach((k, v) -> assertEquals(v, chunkedEval.get(k), 1e-5 * Math.max(1, Math.abs(v)), k));
        }
        try (LlamaModel fresh = SyntheticRun.model(base, manager, 0.1)) {
            assertTrue(StepRun.maxDiff(full, OrpoTrainerTest.host(fresh)) > 1e-4, "training moved the adapter");
        }
    }

    @Test
    void aChunkSizeBelowFullIsRejectedByName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.defaults().with("logits_chunk_size", "-2"));
        assertTrue(e.getMessage().contains("logits_chunk_size"), e.getMessage());
        assertEquals(0, TrainerConfig.defaults().logitsChunkSize());
    }

    /** One full-logits and one chunked step from the same weights and seeds: equal loss, metrics and gradients. */
    private static void assertChunkedEqualsFull(LlamaModel model, boolean checkpointing, int chunk) {
        String where = (checkpointing ? "checkpointed" : "plain") + ", chunk " + chunk;
        StepRun.assertSameStep(chunkStep(model, checkpointing, 0), chunkStep(model, checkpointing, chunk), 1e-5, 1e-5,
                where);
    }

    /** One micro-batch (n = 2, so the 1/n scaling shows), then the gradients read and zeroed. */
    private static StepRun chunkStep(LlamaModel model, boolean checkpointing, int chunk) {
        return StepRun.of(model, PAIRS, new PreferenceCollator(0, true), MicroBatchStep.Options.of(0.5, 2)
                .withGradientCheckpointing(checkpointing).withLogitsChunkSize(chunk).beforeEachLayer(SEEDS));
    }

    /** 2B·(T-1): the positions that predict a token in the test batch. */
    private static int predictingRows() {
        try (NDScope scope = new NDScope()) {
            PreferenceBatch batch = new PreferenceCollator(0, true).collate(PAIRS, manager);
            return 2 * batch.pairs() * (batch.length() - 1);
        }
    }

    /** The smallest divisor of {@code n} that is at least {@code min} and below n (several whole chunks). */
    private static int divisorAtLeast(int n, int min) {
        for (int d = min; d < n; d++) {
            if (n % d == 0) {
                return d;
            }
        }
        throw new IllegalStateException(n + " has no divisor in [" + min + ", " + n + ")");
    }
}
