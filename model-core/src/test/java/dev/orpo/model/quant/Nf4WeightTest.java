package dev.orpo.model.quant;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.orpo.model.lora.DenseWeight;
import dev.orpo.model.tensor.HostArrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The native NF4 weight: same values as the host codec, x·dequant(W)ᵀ, gradients to x, bytes held. */
class Nf4WeightTest {
    static NDManager manager;
    static Nf4Lookup lookup;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
        lookup = new Nf4Lookup(manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 0.1);
        }
        return x;
    }

    @Test
    void nativeDequantizationEqualsTheHostCodec() {
        // 5 × 13 = 65 values: odd count and a short last block; 40 × 448 = 280 blocks: two scale groups
        for (long[] shape : new long[][] {{5, 13}, {40, 448}}) {
            for (boolean dq : new boolean[] {false, true}) {
                Nf4Tensor q = Nf4Codec.quantize(random((int) (shape[0] * shape[1]), 3), shape, new Nf4Config(64, dq));
                try (Nf4Weight w = new Nf4Weight(manager, q, lookup); NDArray values = w.dequantize()) {
                    assertEquals(new Shape(shape), values.getShape());
                    assertArrayEquals(q.dequantize(), values.toFloatArray(), 1e-7f, shape[1] + " dq " + dq);
                }
            }
        }
    }

    @Test
    void applyEqualsInputTimesDequantizedWeightTransposed() {
        Nf4Tensor q = Nf4Codec.quantize(random(24 * 40, 5), new long[] {24, 40}, Nf4Config.defaults());
        try (Nf4Weight w = new Nf4Weight(manager, q, lookup);
             DenseWeight dense = new DenseWeight(HostArrays.floats(manager, q.dequantize(), new Shape(24, 40)));
             NDArray x = HostArrays.floats(manager, random(2 * 3 * 40, 7), new Shape(2, 3, 40))) {
            NDArray y = w.apply(x); // (2, 3, 24)
            assertEquals(new Shape(2, 3, 24), y.getShape());
            assertArrayEquals(dense.apply(x).toFloatArray(), y.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void inputGradientFlowsThroughTheTransientDequantizedWeight() {
        Nf4Tensor q = Nf4Codec.quantize(random(6 * 64, 11), new long[] {6, 64}, Nf4Config.defaults());
        try (NDManager sub = manager.newSubManager()) {
            Nf4Weight w = new Nf4Weight(sub, q, lookup);
            NDArray x = HostArrays.floats(sub, random(2 * 64, 13), new Shape(2, 64));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = w.apply(x); // the dequantized W is closed inside apply
                System.gc();
                gc.backward(y.sum());
            }
            // d sum(x Wᵀ) / dx = column sums of W, for every row of x
            float[] wv = q.dequantize();
            float[] expected = new float[2 * 64];
            for (int o = 0; o < 6; o++) {
                for (int i = 0; i < 64; i++) {
                    expected[i] += wv[o * 64 + i];
                    expected[64 + i] += wv[o * 64 + i];
                }
            }
            assertArrayEquals(expected, x.getGradient().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void storageRefusesNonFiniteWeightsNamingTheTensor() {
        float[] w = random(2 * 64, 2);
        w[70] = Float.POSITIVE_INFINITY;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Nf4Storage(
                Nf4Config.defaults()).create(manager, "model.layers.0.mlp.up_proj.weight", w, 2, 64));
        assertEquals("tensor model.layers.0.mlp.up_proj.weight: value 70 is Infinity: cannot quantize",
                e.getMessage());
    }

    @Test
    void bytesHeldCountCodesAndScalesOnly() {
        // 64 × 256 weights = 256 blocks of 64 = one scale group
        Nf4Tensor plain = Nf4Codec.quantize(random(64 * 256, 1), new long[] {64, 256}, new Nf4Config(64, false));
        Nf4Tensor dq = Nf4Codec.quantize(random(64 * 256, 1), new long[] {64, 256}, new Nf4Config(64, true));
        try (Nf4Weight p = new Nf4Weight(manager, plain, lookup); Nf4Weight d = new Nf4Weight(manager, dq, lookup)) {
            assertEquals(64 * 256 / 2 + 256 * 4, p.bytesHeld()); // 4.5 bits per weight
            assertEquals(64 * 256 / 2 + 256 + 4 + 4, d.bytesHeld()); // ≈ 4.13 bits per weight
            assertEquals(plain.bytes(), p.bytesHeld());
            assertEquals(dq.bytes(), d.bytesHeld());
        }
    }
}
