package dev.orpo.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.tensor.HostArrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraLinearTest {
    static NDManager manager;
    static final LoraConfig CONFIG = new LoraConfig(4, 8, 0, EnumSet.of(LoraTarget.Q), false, 42);

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    @Test
    void sameSeedAndModuleGiveBitIdenticalInitAndOthersDiffer() {
        try (NDScope ignored = new NDScope()) {
            float[] a1 = LoraAdapter.create(manager, 24, 8, CONFIG, "layers.0.self_attn.q_proj").a().toFloatArray();
            float[] a2 = LoraAdapter.create(manager, 24, 8, CONFIG, "layers.0.self_attn.q_proj").a().toFloatArray();
            float[] otherModule = LoraAdapter.create(manager, 24, 8, CONFIG, "layers.1.self_attn.q_proj").a()
                    .toFloatArray();
            LoraConfig otherSeed = new LoraConfig(4, 8, 0, EnumSet.of(LoraTarget.Q), false, 43);
            float[] a3 = LoraAdapter.create(manager, 24, 8, otherSeed, "layers.0.self_attn.q_proj").a().toFloatArray();
            assertArrayEquals(a1, a2);
            assertFalse(java.util.Arrays.equals(a1, otherModule));
            assertFalse(java.util.Arrays.equals(a1, a3));
        }
    }

    @Test
    void aIsKaimingUniformWithinOneOverRootFanInAndBStartsAtZero() {
        try (NDScope ignored = new NDScope()) {
            LoraAdapter adapter = LoraAdapter.create(manager, 64, 32, new LoraConfig(16, 32, 0,
                    EnumSet.of(LoraTarget.Q), false, 7), "m");
            float[] a = adapter.a().toFloatArray();
            double bound = 1 / Math.sqrt(64);
            double max = 0;
            double sum = 0;
            for (float v : a) {
                assertTrue(Math.abs(v) <= bound, "value " + v + " outside ±" + bound);
                max = Math.max(max, Math.abs(v));
                sum += v;
            }
            assertTrue(max > 0.95 * bound, "uniform over the whole range, max " + max);
            assertEquals(0, sum / a.length, 0.1 * bound, "centred");
            assertEquals(new Shape(16, 64), adapter.a().getShape());
            assertEquals(new Shape(32, 16), adapter.b().getShape());
            assertEquals(0f, adapter.b().abs().sum().getFloat());
            assertTrue(adapter.a().hasGradient() && adapter.b().hasGradient(), "A and B train");
        }
    }

    @Test
    void outputIsBaseProductPlusBiasPlusScaledLowRankProduct() {
        int in = 5;
        int out = 3;
        int r = 2;
        float[] w = random(out * in, 1);
        float[] bias = random(out, 2);
        float[] x = random(2 * in, 3);
        float[] a = random(r * in, 4);
        float[] b = random(out * r, 5);
        LoraConfig config = new LoraConfig(r, 3, 0, EnumSet.of(LoraTarget.Q), false, 1);
        try (NDScope ignored = new NDScope()) {
            LoraLinear layer = new LoraLinear(new DenseWeight(manager.create(w, new Shape(out, in))),
                    manager.create(bias));
            LoraAdapter adapter = LoraAdapter.create(manager, in, out, config, "m");
            HostArrays.copyInto(adapter.a(), a);
            HostArrays.copyInto(adapter.b(), b);
            layer.attach(adapter);
            float[] y = layer.forward(manager.create(x, new Shape(2, in)), false).toFloatArray();
            for (int row = 0; row < 2; row++) {
                for (int o = 0; o < out; o++) {
                    double expected = bias[o];
                    for (int i = 0; i < in; i++) {
                        expected += x[row * in + i] * w[o * in + i];
                    }
                    for (int k = 0; k < r; k++) {
                        double ax = 0;
                        for (int i = 0; i < in; i++) {
                            ax += a[k * in + i] * x[row * in + i];
                        }
                        expected += 1.5 * b[o * r + k] * ax; // scaling = alpha / r = 3 / 2
                    }
                    assertEquals(expected, y[row * out + o], 1e-4, "y[" + row + "][" + o + "]");
                }
            }
        }
    }

    @Test
    void dropoutOnTheLoraPathActsOnlyWhenTraining() {
        LoraConfig config = new LoraConfig(4, 8, 0.5, EnumSet.of(LoraTarget.Q), false, 1);
        try (NDScope ignored = new NDScope()) {
            LoraLinear layer = new LoraLinear(new DenseWeight(manager.create(random(48, 1), new Shape(6, 8))), null);
            LoraAdapter adapter = LoraAdapter.create(manager, 8, 6, config, "m");
            HostArrays.copyInto(adapter.b(), random(24, 2));
            layer.attach(adapter);
            NDArray x = manager.create(random(64, 3), new Shape(8, 8));
            float[] eval1 = layer.forward(x, false).toFloatArray();
            float[] eval2 = layer.forward(x, false).toFloatArray();
            float[] train = layer.forward(x, true).toFloatArray();
            assertArrayEquals(eval1, eval2);
            assertNotEquals(java.util.Arrays.toString(eval1), java.util.Arrays.toString(train));
        }
    }

    @Test
    void baseWeightAndBiasNeverRequireGradients() {
        try (NDScope ignored = new NDScope()) {
            NDArray w = manager.create(random(6, 1), new Shape(3, 2));
            w.setRequiresGradient(true);
            NDArray bias = manager.create(random(3, 2));
            bias.setRequiresGradient(true);
            LoraLinear layer = new LoraLinear(new DenseWeight(w), bias);
            assertFalse(((DenseWeight) layer.base()).array().hasGradient());
            assertFalse(layer.bias().hasGradient());
        }
    }
}
