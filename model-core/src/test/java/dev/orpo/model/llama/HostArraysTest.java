package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.tensor.HostArrays;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Arrays built from Java data must own their memory: their staging buffer may be collected at any time. */
class HostArraysTest {

    @Test
    void arraysFromHostDataKeepTheirValuesAfterTheStagingBufferIsCollected() {
        float[] data = new float[1 << 16];
        Arrays.fill(data, 1f);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray owned = HostArrays.floats(manager, data, new Shape(256, 256));
            NDArray target = manager.zeros(new Shape(256, 256));
            HostArrays.copyInto(target, data);
            GcChurn.collectAndReuseDirectMemory();
            assertArrayEquals(data, owned.toFloatArray());
            assertArrayEquals(data, target.toFloatArray());
        }
    }

    @Test
    void loraGradientsAreUnchangedByGarbageCollectionBetweenForwardAndBackward() {
        LlamaConfig c = TinyLlama.config(false);
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(c, TinyLlama.weights(c, 5), manager, WeightStorage.DENSE)) {
            model.applyLora(dev.orpo.model.lora.LoraConfig.defaults());
            var start = TrainableTensors.export(model);
            start.replaceAll((k, v) -> {
                float[] d = v.data().clone();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) Math.sin(i + k.length()) * 0.2f;
                }
                return new dev.orpo.model.io.FloatTensor(v.shape(), d);
            });
            TrainableTensors.load(model, start);
            float[] calm = gradients(model, manager, false);
            float[] churned = gradients(model, manager, true);
            assertArrayEquals(calm, churned);
        }
    }

    private static float[] gradients(LlamaModel model, NDManager manager, boolean churn) {
        try (ai.djl.ndarray.NDScope ignored = new ai.djl.ndarray.NDScope()) {
            NDArray ids = manager.create(new long[][] {{1, 4, 9, 16, 25, 36}});
            NDArray mask = ids.onesLike();
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray loss = NextTokens.logProbs(model, ids, Attention.padded(mask)).sum().neg();
                if (churn) {
                    GcChurn.collectAndReuseDirectMemory(); // anything autograd saved must not live in collectable buffers
                }
                gc.backward(loss);
            }
            float[] all = new float[0];
            for (NDArray p : TrainableTensors.of(model).values()) {
                NDArray g = p.getGradient();
                float[] v = g.toFloatArray();
                g.subi(g); // gradients accumulate: zero for the next call
                float[] joined = Arrays.copyOf(all, all.length + v.length);
                System.arraycopy(v, 0, joined, all.length, v.length);
                all = joined;
            }
            return all;
        }
    }
}
