package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.FrozenWeights;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.quant.Nf4Config;
import dev.orpo.model.quant.Nf4Storage;
import dev.orpo.model.synthetic.SyntheticLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient checkpointing per decoder layer gives the plain backward pass's gradients, loss and metrics. */
class GradientCheckpointingTest {
    // hidden 128, 3 layers, 4 heads (2 KV), FFN 256: whole NF4 blocks of 64; vocab 64 as the tiny token space
    static final LlamaConfig CONFIG = SyntheticLlama.config(64, 128, 3, 4, 2, 256);
    static final List<PreferencePair> PAIRS = SyntheticRun.TRAIN.subList(0, 3);
    static final IntConsumer SEED_PER_LAYER = layer -> Engine.getInstance().setRandomSeed(1000 + layer);
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

    @Test
    void checkpointedGradientsEqualPlainGradientsWithoutDropout() {
        try (LlamaModel model = model(CONFIG, LlamaModel.DENSE, 0.0, false)) {
            assertSameStep(model);
        }
    }

    @Test
    void checkpointedGradientsEqualPlainGradientsWithDropoutSeededPerLayer() {
        try (LlamaModel model = model(CONFIG, LlamaModel.DENSE, 0.3, false)) {
            Map<String, float[]> plain = step(model, false, SEED_PER_LAYER).gradients;
            // the masks matter: another seed gives other gradients, so equality below is not vacuous
            Map<String, float[]> otherSeed = step(model, false, layer -> Engine.getInstance().setRandomSeed(7 + layer))
                    .gradients;
            assertTrue(maxDiff(plain, otherSeed) > 1e-3, "dropout changes the gradients");
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
        try (LlamaModel model = model(CONFIG, LlamaModel.DENSE, 0.1, true)) {
            assertTrue(model.exportTrainable().containsKey("base_model.model.lm_head.weight"));
            assertSameStep(model);
        }
    }

    @Test
    void checkpointedGradientsReachATiedResizedEmbeddingFromBothEnds() {
        LlamaConfig c = CONFIG;
        LlamaConfig tied = new LlamaConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.rmsNormEps(),
                c.ropeTheta(), c.ropeScaling(), c.maxPositionEmbeddings(), true, c.attentionBias(), c.bosTokenId(),
                c.eosTokenIds(), c.padTokenId(), c.torchDtype());
        try (LlamaModel model = model(tied, LlamaModel.DENSE, 0.1, true)) {
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
        assertTrue(maxDiff(plain, freshAdapter(base)) > 1e-4, "training moved the adapter");
    }

    private static Map<String, float[]> freshAdapter(Path base) {
        try (LlamaModel model = SyntheticRun.model(base, manager, 0.1)) {
            return OrpoTrainerTest.host(model);
        }
    }

    /** One plain and one checkpointed step from the same weights and seeds: equal loss, metrics and gradients. */
    private static void assertSameStep(LlamaModel model) {
        int[] calls = {0, 0};
        Step plain = step(model, false, layer -> {
            calls[0]++;
            SEED_PER_LAYER.accept(layer);
        });
        Step checkpointed = step(model, true, layer -> {
            calls[1]++;
            SEED_PER_LAYER.accept(layer);
        });
        // each layer runs once plainly, twice (first pass and recompute) when checkpointed
        assertEquals(CONFIG.numHiddenLayers(), calls[0]);
        assertEquals(2 * CONFIG.numHiddenLayers(), calls[1]);
        assertEquals(plain.result.loss(), checkpointed.result.loss(), 1e-6 * Math.max(1, Math.abs(plain.result.loss())));
        plain.result.metrics().forEach((k, v) -> assertEquals(v, checkpointed.result.metrics().get(k),
                1e-6 * Math.max(1, Math.abs(v)), k));
        double largest = 0;
        for (float[] g : plain.gradients.values()) {
            for (float v : g) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        assertTrue(largest > 1e-3, "gradients are not trivially zero: " + largest);
        double diff = maxDiff(plain.gradients, checkpointed.gradients);
        System.out.printf("checkpointed vs plain: max |grad diff| %.3g, max |grad| %.3g%n", diff, largest);
        assertTrue(diff <= 1e-5 * Math.max(1, largest), "max |gradient difference| " + diff);
    }

    private record Step(MicroBatchStep.Result result, Map<String, float[]> gradients) {
    }

    /** One micro-batch (n = 2, so the 1/n scaling shows), then the gradients read and zeroed. */
    private static Step step(LlamaModel model, boolean checkpointing, IntConsumer beforeLayer) {
        model.setTraining(true);
        try (NDScope scope = new NDScope()) {
            PreferenceBatch batch = new PreferenceCollator(0, true).collate(PAIRS, model.manager());
            MicroBatchStep.Result result = MicroBatchStep.run(checkpointing, model, batch, 0.5, 2, beforeLayer);
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

    /** Rank-4 LoRA on all projections with random B (a fresh B = 0 would give A zero gradients). */
    private static LlamaModel model(LlamaConfig config, FrozenWeights base, double dropout, boolean resize) {
        return model(dir, manager, config, base, dropout, resize);
    }

    /** The same, with the synthetic model written under {@code dir} (once per tied/untied) and loaded into {@code manager}. */
    static LlamaModel model(Path dir, NDManager manager, LlamaConfig config, FrozenWeights base, double dropout,
                            boolean resize) {
        Path modelDir = dir.resolve(config.tieWordEmbeddings() ? "tied" : "untied");
        if (!modelDir.resolve("model.safetensors").toFile().exists()) {
            SyntheticLlama.write(modelDir, config, 11);
        }
        LlamaModel model = LlamaModel.load(modelDir, manager, base);
        if (resize) {
            model.resizeTokenEmbeddings(config.vocabSize() + 2);
        }
        model.applyLora(new LoraConfig(4, 8, dropout, EnumSet.allOf(LoraTarget.class), false, 5));
        Map<String, FloatTensor> weights = new LinkedHashMap<>(model.exportTrainable());
        SplittableRandom rng = new SplittableRandom(3);
        weights.replaceAll((k, t) -> {
            if (!k.contains("lora_B")) {
                return t;
            }
            float[] b = new float[t.data().length];
            for (int j = 0; j < b.length; j++) {
                b[j] = (float) (rng.nextGaussian() * 0.05);
            }
            return new FloatTensor(t.shape(), b);
        });
        model.importTrainable(weights);
        return model;
    }

    static double maxDiff(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        double worst = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        return worst;
    }
}
