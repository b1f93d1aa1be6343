package dev.orpo.model.llama;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.tensor.ComputeDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Autograd's LoRA gradients agree with central finite differences of the loss (fp32, so step 1e-2 and a tolerance of
 * a few percent; the float64 reference comparison in {@link LlamaParityTest} is the precise check).
 */
class LoraFiniteDifferenceTest {
    static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Mean next-token NLL of a fixed two-sequence right-padded batch. */
    static NDArray loss(LlamaModel model) {
        NDArray ids = manager.create(new long[][] {{1, 7, 3, 9, 22, 40}, {1, 8, 13, 0, 0, 0}});
        NDArray mask = manager.create(new long[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}});
        NDArray logps = NextTokens.logProbs(model, ids, Attention.padded(mask));
        NDArray real = mask.get(":, 1:").toType(ComputeDType.TYPE, false);
        return logps.mul(real).sum().div(real.sum()).neg();
    }

    @Test
    void loraGradientsMatchCentralFiniteDifferences() {
        LlamaConfig c = TinyLlama.config(false);
        try (LlamaModel model = PretrainedLlama.load(c, TinyLlama.weights(c, 21), manager, WeightStorage.DENSE);
             NDScope ignored = new NDScope()) {
            model.applyLora(LoraConfig.defaults());
            Map<String, FloatTensor> start = perturbed(TrainableTensors.export(model));
            TrainableTensors.load(model, start);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss(model));
            }
            Map<String, NDArray> params = TrainableTensors.of(model);
            Random pick = new Random(4);
            int checked = 0;
            for (String key : params.keySet()) {
                if (pick.nextInt(4) != 0) {
                    continue; // a quarter of the tensors, one element each
                }
                float[] grad = params.get(key).getGradient().toFloatArray();
                int i = pick.nextInt(grad.length);
                double h = 1e-2;
                double numeric = (lossWith(model, start, key, i, h) - lossWith(model, start, key, i, -h)) / (2 * h);
                assertEquals(numeric, grad[i], 0.03 * Math.abs(numeric) + 2e-4, key + "[" + i + "]");
                checked++;
            }
            assertEquals(true, checked >= 5, "checked " + checked + " elements");
        }
    }

    private static double lossWith(LlamaModel model, Map<String, FloatTensor> start, String key, int i, double h) {
        Map<String, FloatTensor> moved = new LinkedHashMap<>(start);
        float[] data = start.get(key).data().clone();
        data[i] += (float) h;
        moved.put(key, new FloatTensor(start.get(key).shape(), data));
        TrainableTensors.load(model, moved);
        try (NDScope ignored = new NDScope()) {
            return loss(model).getFloat();
        }
    }

    /** Non-zero B (and random A) so every factor has a non-trivial gradient. */
    private static Map<String, FloatTensor> perturbed(Map<String, FloatTensor> tensors) {
        Random r = new Random(17);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            float[] d = new float[v.data().length];
            for (int j = 0; j < d.length; j++) {
                d[j] = (float) (0.2 * r.nextGaussian());
            }
            out.put(k, new FloatTensor(v.shape(), d));
        });
        return out;
    }
}
