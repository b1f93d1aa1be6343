package dev.orpo.model.train;

import ai.djl.engine.Engine;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.quant.Nf4Config;
import dev.orpo.model.quant.Nf4Storage;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient checkpointing per decoder layer gives the plain backward pass's gradients, loss and metrics. */
class GradientCheckpointingTest extends TinyStepModels {

    @Test
    void checkpointedGradientsEqualPlainGradientsWithoutDropout() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.0, false)) {
            assertSameStep(model);
        }
    }

    @Test
    void checkpointedGradientsEqualPlainGradientsWithDropoutSeededPerLayer() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.3, false)) {
            Map<String, float[]> plain = step(model, false, SEEDS).gradients();
            // the masks matter: another seed gives other gradients, so equality below is not vacuous
            Map<String, float[]> otherSeed = step(model, false, layer -> Engine.getInstance().setRandomSeed(7 + layer))
                    .gradients();
            assertTrue(StepRun.maxDiff(plain, otherSeed) > 1e-3, "dropout changes the gradients");
            assertSameStep(model);
        }
    }

    @Test
    void checkpointedGradientsEqualPlainGradientsOnAnNf4Base() {
        try (LlamaModel model = model(CONFIG, new Nf4Storage(Nf4Config.defaults()), 0.1, false)) {
            assertSameStep(model);
        }
    }

    @Test
    void checkpointedGradientsReachResizedEmbeddingsAndUntiedLmHead() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.1, true)) {
            assertTrue(TrainableTensors.export(model).containsKey("base_model.model.lm_head.weight"));
            assertSameStep(model);
        }
    }

    @Test
    void checkpointedGradientsReachATiedResizedEmbeddingFromBothEnds() {
        try (LlamaModel model = model(TIED, WeightStorage.DENSE, 0.1, true)) {
            assertTrue(model.lmHead().tied() && model.embedding().trainable());
            assertSameStep(model);
        }
    }

    @Test
    void trainerWithGradientCheckpointingLearnsTheSameAdapter() {
        // dropout on, two micro-batches per update, three updates: the trainer's per-layer seeds reach both paths
        TrainerConfig config = SyntheticRun.fast().with("per_device_train_batch_size", "2")
                .with("gradient_accumulation_steps", "2").with("max_steps", "3").with("disable_dropout", "false");
        List<PreferencePair> rows = SyntheticRun.TRAIN.subList(0, 12);
        Path base = SyntheticRun.base(dir);
        Map<String, float[]> plain;
        try (LlamaModel model = SyntheticRun.model(base, manager, 0.1)) {
            new OrpoTrainer(model, config, rows, List.of(), dir.resolve("plain"), "tiny").train();
            plain = OrpoTrainerTest.host(model);
        }
        try (LlamaModel model = SyntheticRun.model(base, manager, 0.1)) {
            TrainResult r = new OrpoTrainer(model, config.with("gradient_checkpointing", "true"), rows, List.of(),
                    dir.resolve("ckpt"), "tiny").train();
            assertEquals(3, r.step());
            assertEquals(true, TrainerState.read(r.finalCheckpoint()).config().get("gradient_checkpointing"));
            AccumulationAndResumeTest.assertClose(plain, OrpoTrainerTest.host(model), 1e-5);
        }
        assertTrue(StepRun.maxDiff(plain, freshAdapter(base)) > 1e-4, "training moved the adapter");
    }

    private static Map<String, float[]> freshAdapter(Path base) {
        try (LlamaModel model = SyntheticRun.model(base, manager, 0.1)) {
            return OrpoTrainerTest.host(model);
        }
    }

    /** One plain and one checkpointed step from the same weights and seeds: equal loss, metrics and gradients. */
    private static void assertSameStep(LlamaModel model) {
        int[] calls = {0, 0};
        StepRun plain = step(model, false, layer -> {
            calls[0]++;
            SEEDS.accept(layer);
        });
        StepRun checkpointed = step(model, true, layer -> {
            calls[1]++;
            SEEDS.accept(layer);
        });
        // each layer runs once plainly, twice (first pass and recompute) when checkpointed
        assertEquals(CONFIG.numHiddenLayers(), calls[0]);
        assertEquals(2 * CONFIG.numHiddenLayers(), calls[1]);
        StepRun.assertSameStep(plain, checkpointed, 1e-6, 1e-5, "checkpointed vs plain");
    }

    /** One micro-batch (n = 2, so the 1/n scaling shows), then the gradients read and zeroed. */
    private static StepRun step(LlamaModel model, boolean checkpointing, IntConsumer beforeLayer) {
        return StepRun.of(model, PAIRS, new PreferenceCollator(0, true), MicroBatchStep.Options.of(0.5, 2)
                .withGradientCheckpointing(checkpointing).beforeEachLayer(beforeLayer));
    }
}
