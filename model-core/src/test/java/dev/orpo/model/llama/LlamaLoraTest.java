package dev.orpo.model.llama;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.lora.DenseWeight;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.lora.WeightStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoRA on the whole model: init, what trains, PEFT-named export/import. */
class LlamaLoraTest {
    static NDManager manager;
    static final LoraConfig QV_DOWN = new LoraConfig(2, 4, 0,
            EnumSet.of(LoraTarget.Q, LoraTarget.V, LoraTarget.DOWN), false, 5);

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static LlamaModel tiny() {
        LlamaConfig c = TinyLlama.config(false);
        return PretrainedLlama.load(c, TinyLlama.weights(c, 3), manager, WeightStorage.DENSE);
    }

    static float[] logits(LlamaModel model) {
        NDArray ids = manager.create(new long[][] {{1, 4, 9, 16, 25}});
        NDArray mask = ids.onesLike();
        return model.logits(ids, Attention.padded(mask)).toFloatArray();
    }

    @Test
    void freshAdapterLeavesLogitsUnchanged() {
        try (LlamaModel model = tiny(); NDScope ignored = new NDScope()) {
            float[] before = logits(model);
            model.applyLora(LoraConfig.defaults());
            assertArrayEquals(before, logits(model), 1e-6f);
        }
    }

    @Test
    void trainableTensorsArePeftNamedInLayerTargetAThenBOrder() {
        try (LlamaModel model = tiny()) {
            model.applyLora(QV_DOWN);
            List<String> expected = new ArrayList<>();
            for (int layer = 0; layer < 2; layer++) {
                for (String m : List.of("self_attn.q_proj", "self_attn.v_proj", "mlp.down_proj")) {
                    String p = "base_model.model.model.layers." + layer + "." + m;
                    expected.add(p + ".lora_A.weight");
                    expected.add(p + ".lora_B.weight");
                }
            }
            Map<String, FloatTensor> exported = TrainableTensors.export(model);
            assertEquals(expected, List.copyOf(exported.keySet()));
            assertArrayEquals(new long[] {2, 16}, exported.get(expected.get(0)).shape());
            assertArrayEquals(new long[] {8, 2}, exported.get(expected.get(3)).shape()); // v_proj B: [kv·D, r]
            assertArrayEquals(new long[] {2, 24}, exported.get(expected.get(4)).shape()); // down_proj A: [r, I]
            assertEquals(12, TrainableTensors.of(model).values().size());
        }
    }

    @Test
    void onlyLoraTensorsReceiveGradients() {
        try (LlamaModel model = tiny(); NDScope ignored = new NDScope()) {
            model.applyLora(QV_DOWN);
            NDArray ids = manager.create(new long[][] {{1, 4, 9, 16, 25}});
            NDArray mask = ids.onesLike();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(NextTokens.logProbs(model, ids, Attention.padded(mask)).sum().neg());
            }
            for (NDArray p : TrainableTensors.of(model).values()) {
                assertTrue(p.hasGradient());
            }
            // B starts at zero, so B's gradient is non-zero while A's is still exactly zero
            assertTrue(model.layers().get(0).linear(LoraTarget.Q).adapter().b().getGradient().abs().sum()
                    .getFloat() > 0);
            assertFalse(model.embedding().weight().hasGradient());
            assertFalse(model.lmHead().weight().hasGradient());
            for (DecoderLayer layer : model.layers()) {
                for (LoraTarget t : LoraTarget.values()) {
                    assertFalse(((DenseWeight) layer.linear(t).base()).array().hasGradient(), t + " base weight");
                }
            }
        }
    }

    @Test
    void exportedTensorsImportIntoAFreshModelAndReproduceItsLogits() {
        try (LlamaModel first = tiny(); LlamaModel second = tiny(); LlamaModel base = tiny();
             NDScope ignored = new NDScope()) {
            first.applyLora(QV_DOWN);
            TrainableTensors.load(first, randomized(TrainableTensors.export(first)));
            second.applyLora(new LoraConfig(2, 4, 0, QV_DOWN.targets(), false, 99));
            TrainableTensors.load(second, TrainableTensors.export(first));
            float[] expected = logits(first);
            assertArrayEquals(expected, logits(second), 0f);
            assertFalse(java.util.Arrays.equals(expected, logits(base)), "the adapter changes the logits");
        }
    }

    @Test
    void adapterWithResizedEmbeddingsRoundTripsThroughPeftFiles(@TempDir Path dir) {
        try (LlamaModel first = tiny(); LlamaModel second = tiny(); NDScope ignored = new NDScope()) {
            first.resizeTokenEmbeddings(52);
            first.applyLora(QV_DOWN);
            TrainableTensors.load(first, randomized(TrainableTensors.export(first)));
            PeftAdapterConfig config = TrainableTensors.peftConfig(first, "tiny-llama");
            assertEquals(List.of("embed_tokens", "lm_head"), config.modulesToSave());
            assertEquals(List.of("q_proj", "v_proj", "down_proj"), config.targetModules());
            PeftAdapterFiles.write(dir, config, TrainableTensors.export(first));

            PeftAdapter read = PeftAdapterFiles.read(dir);
            second.resizeTokenEmbeddings(52);
            second.applyLora(LoraConfig.fromPeft(read.config(), 1));
            TrainableTensors.load(second, read.tensors());
            assertArrayEquals(logits(first), logits(second), 0f);
        }
    }

    @Test
    void importRejectsMissingUnknownAndMisshapedTensorsByName() {
        try (LlamaModel model = tiny()) {
            model.applyLora(QV_DOWN);
            Map<String, FloatTensor> good = TrainableTensors.export(model);
            String aKey = "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight";

            Map<String, FloatTensor> missing = new LinkedHashMap<>(good);
            missing.remove(aKey);
            assertMessage(aKey, () -> TrainableTensors.load(model, missing));

            Map<String, FloatTensor> unknown = new LinkedHashMap<>(good);
            String extra = "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight";
            unknown.put(extra, good.get(aKey));
            assertMessage(extra, () -> TrainableTensors.load(model, unknown));

            Map<String, FloatTensor> misshaped = new LinkedHashMap<>(good);
            misshaped.put(aKey, new FloatTensor(new long[] {24, 2}, new float[48]));
            assertMessage(aKey, () -> TrainableTensors.load(model, misshaped));
        }
    }

    @Test
    void applyingLoraTwiceIsRejected() {
        try (LlamaModel model = tiny()) {
            model.applyLora(QV_DOWN);
            assertThrows(IllegalStateException.class, () -> model.applyLora(QV_DOWN));
        }
    }

    private static Map<String, FloatTensor> randomized(Map<String, FloatTensor> tensors) {
        Random r = new Random(8);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            float[] d = new float[v.data().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (0.3 * r.nextGaussian());
            }
            out.put(k, new FloatTensor(v.shape(), d));
        });
        return out;
    }

    private static void assertMessage(String text, Runnable r) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
