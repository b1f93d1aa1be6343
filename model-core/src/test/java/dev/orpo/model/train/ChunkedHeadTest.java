package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.FrozenWeights;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import static dev.orpo.model.train.GradientCheckpointingTest.CONFIG;
import static dev.orpo.model.train.GradientCheckpointingTest.PAIRS;
import static dev.orpo.model.train.GradientCheckpointingTest.maxDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chunked LM head gives the full-logits step's loss, ORPO metrics and gradients, on both step paths. */
class ChunkedHeadTest {
    static final IntConsumer SEEDS = layer -> Engine.getInstance().setRandomSeed(1000 + layer);
    static NDManager manager;
    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static LlamaModel model(LlamaConfig config, FrozenWeights base, double dropout, boolean resize) {
        return GradientCheckpointingTest.model(dir, manager, config, base, dropout, resize);
    }

    @Test
    void chunkedStepEqualsFullLogitsStepForDividingAndNonDividingChunks() {
        try (LlamaModel model = model(CONFIG, LlamaModel.DENSE, 0.2, false)) {
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
        try (LlamaModel model = model(CONFIG, LlamaModel.DENSE, 0.1, true)) {
            assertTrue(model.lmHead().trainable() && !model.lmHead().tied());
            assertChunkedEqualsFull(model, false, 13);
            assertChunkedEqualsFull(model, true, 13);
        }
    }

    @Test
    void chunkedStepReachesATiedResizedEmbeddingFromBothEnds() {
        LlamaConfig c = CONFIG;
        LlamaConfig tied = new LlamaConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.rmsNormEps(),
                c.ropeTheta(), c.ropeScaling(), c.maxPositionEmbeddings(), true, c.attentionBias(), c.bosTokenId(),
                c.eosTokenIds(), c.padTokenId(), c.torchDtype());
        try (LlamaModel model = model(tied, LlamaModel.DENSE, 0.1, true)) {
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
            assertTrue(maxDiff(full, OrpoTrainerTest.host(fresh)) > 1e-4, "training moved the adapter");
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
        Step full = chunkStep(model, checkpointing, 0);
        Step chunked = chunkStep(model, checkpointing, chunk);
        String where = (checkpointing ? "checkpointed" : "plain") + ", chunk " + chunk;
        assertEquals(full.result().loss(), chunked.result().loss(), 1e-5 * Math.max(1, Math.abs(full.result().loss())),
                where);
        assertEquals(full.result().metrics().keySet(), chunked.result().metrics().keySet());
        full.result().metrics().forEach((k, v) -> assertEquals(v, chunked.result().metrics().get(k),
                1e-5 * Math.max(1, Math.abs(v)), where + ": " + k));
        double largest = 0;
        for (float[] g : full.gradients().values()) {
            for (float v : g) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        assertTrue(largest > 1e-3, "gradients are not trivially zero: " + largest);
        double diff = maxDiff(full.gradients(), chunked.gradients());
        System.out.printf("%s: max |grad diff| %.3g, max |grad| %.3g%n", where, diff, largest);
        assertTrue(diff <= 1e-5 * Math.max(1, largest), where + ": max |gradient difference| " + diff);
    }

    private record Step(MicroBatchStep.Result result, Map<String, float[]> gradients) {
    }

    /** One micro-batch (n = 2, so the 1/n scaling shows), then the gradients read and zeroed. */
    private static Step chunkStep(LlamaModel model, boolean checkpointing, int chunk) {
        model.setTraining(true);
        try (NDScope scope = new NDScope()) {
            PreferenceBatch batch = new PreferenceCollator(0, true).collate(PAIRS, model.manager());
            MicroBatchStep.Result result = MicroBatchStep.run(checkpointing, chunk, model, batch, 0.5, 2, SEEDS);
            Map<String, float[]> gradients = new LinkedHashMap<>();
            List<NDArray> params = model.trainableParameters();
            int i = 0;
            for (String name : model.exportTrainable().keySet()) {
                NDArray g = params.get(i++).getGradient();
                gradients.put(name, g.toFloatArray());
                g.muli(0);
            }
            return new Step(result, gradients);
        }
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
