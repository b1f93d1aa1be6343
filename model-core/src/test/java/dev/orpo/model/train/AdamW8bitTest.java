package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.quant.DynamicQuantization;
import dev.orpo.model.quant.DynamicQuantizationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 8-bit AdamW against bitsandbytes' algorithm run in PyTorch, against fp32 AdamW, and through its saved state. */
class AdamW8bitTest {
    private final NDManager manager = NDManager.newBaseManager();

    @AfterEach
    void free() {
        manager.close();
    }

    @Test
    void fiveStepsFollowBitsandbytesBlockwiseUpdate() {
        JsonNode c = DynamicQuantizationTest.GOLDEN.get("adam");
        AdamW.Config config = new AdamW.Config(c.get("beta1").asDouble(), c.get("beta2").asDouble(),
                c.get("eps").asDouble(), c.get("weight_decay").asDouble());
        NDArray p = parameter(DynamicQuantizationTest.floats(c.get("init")));
        try (AdamW8bit adam = new AdamW8bit(Map.of("p", p), config)) {
            for (int s = 0; s < 5; s++) {
                gradients(p, DynamicQuantizationTest.floats(c.get("grads").get(s)));
                adam.step(c.get("lr").asDouble());
                float[] expected = DynamicQuantizationTest.floats(c.get("params").get(s));
                float[] actual = p.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-6 * Math.abs(expected[i]) + 1e-9,
                            "param " + i + " after step " + (s + 1));
                }
                assertEquals(0.0, p.getGradient().abs().sum().getFloat(), 0.0, "gradients zeroed");
            }
            OptimizerState state = adam.exportState();
            // a last-bit difference in a moment may move a value across a code midpoint: all but a few codes agree
            assertMostlyEqual(DynamicQuantizationTest.bytes(c.get("state1")), state.tensor("exp_avg.p")
                    .bytes("exp_avg.p"), "first-moment codes");
            assertMostlyEqual(DynamicQuantizationTest.bytes(c.get("state2")), state.tensor("exp_avg_sq.p")
                    .bytes("exp_avg_sq.p"), "second-moment codes");
            assertArrayEquals(DynamicQuantizationTest.floats(c.get("absmax1")),
                    state.tensor("absmax1.p").floats("absmax1.p"), 1e-6f);
        }
    }

    @Test
    void staysWithinBitsandbytesOwnBoundsOfFp32AdamWOverFiftySteps() {
        // bitsandbytes' own acceptance test (test_optimizer8bit), on one 1024 x 32 parameter: Adam defaults (lr 1e-3),
        // p ~ 0.1 N(0, 1), gradients 0.01 N(0, 1); after each step the 8-bit parameter is set back to the fp32 one (the
        // states keep their own histories) and the step's update is compared. Its bounds: mean |dp| < 6e-5, fewer than
        // 20 dequantized moment values off fp32 beyond 3e-3 + 1e-3 |m|. Its elementwise bound (every value within
        // 1e-5 + 1e-3 |p|) is not met by its own CPU reference algorithm either, re-run in PyTorch with
        // make_adamw8bit_golden.py's functions: 0.1-0.5 % of values fall outside (those whose small second moment sits
        // in the map's coarse low decades); checked here at 99.5 %. (Its mean relative error is dominated by the few
        // values nearest zero and left out.)
        int n = 1024 * 32;
        float[] start = gaussian(n, 1, 0.1);
        NDArray p32 = parameter(start);
        NDArray p8 = parameter(start);
        double worstMean = 0;
        int worstMoments = 0;
        try (AdamW fp32 = new AdamW(Map.of("p", p32), AdamW.Config.DEFAULTS);
             AdamW8bit int8 = new AdamW8bit(Map.of("p", p8), AdamW.Config.DEFAULTS)) {
            for (int step = 1; step <= 50; step++) {
                float[] g = gaussian(n, 100 + step, 0.01);
                gradients(p32, g);
                gradients(p8, g);
                fp32.step(1e-3);
                int8.step(1e-3);
                float[] a = p32.toFloatArray();
                float[] b = p8.toFloatArray();
                double err = 0;
                int far = 0;
                for (int i = 0; i < n; i++) {
                    double d = Math.abs(a[i] - b[i]);
                    err += d;
                    far += d > 1e-5 + 1e-3 * Math.abs(a[i]) ? 1 : 0;
                }
                worstMean = Math.max(worstMean, err / n);
                if (step % 10 == 0) {
                    assertTrue(far < n / 200, far + " values beyond 1e-5 + 1e-3 |p| after step " + step);
                    worstMoments = Math.max(worstMoments, momentsNotClose(fp32.exportState(), int8.exportState()));
                }
                p8.set(a);
            }
        }
        System.out.printf("8-bit vs fp32 AdamW, 50 steps: worst mean |dp| of a step %.2e, worst moment values off %d"
                + " of %d%n", worstMean, worstMoments, 2 * n);
        assertTrue(worstMean < 6e-5, "mean |dp| " + worstMean);
        assertTrue(worstMoments < 20, "moments off " + worstMoments);
    }

    /** Values of either moment where 8-bit (dequantized) and fp32 differ beyond 3e-3 + 1e-3 · |fp32|. */
    private static int momentsNotClose(OptimizerState fp32, OptimizerState int8) {
        int off = 0;
        for (String moment : List.of("exp_avg.p", "exp_avg_sq.p")) {
            boolean signed = moment.equals("exp_avg.p");
            float[] expected = fp32.tensor(moment).floats(moment);
            float[] actual = new float[expected.length];
            String absmax = (signed ? AdamW8bit.ABSMAX1 : AdamW8bit.ABSMAX2) + "p";
            DynamicQuantization.dequantize(int8.tensor(moment).bytes(moment), int8.tensor(absmax).floats(absmax),
                    signed, actual);
            for (int i = 0; i < expected.length; i++) {
                off += Math.abs(expected[i] - actual[i]) > 3e-3 + 1e-3 * Math.abs(expected[i]) ? 1 : 0;
            }
        }
        return off;
    }

    @Test
    void stateTakesAboutAQuarterOfFp32AndSmallTensorsKeepFp32Moments() {
        NDArray big = parameter(new float[64 * 128]);
        NDArray small = parameter(new float[AdamW8bit.MIN_8BIT_SIZE - 1]);
        NDArray big32 = parameter(new float[64 * 128]);
        try (AdamW8bit int8 = new AdamW8bit(Map.of("big", big), AdamW.Config.DEFAULTS);
             AdamW fp32 = new AdamW(Map.of("big", big32), AdamW.Config.DEFAULTS);
             AdamW8bit mixed = new AdamW8bit(Map.of("small", small), AdamW.Config.DEFAULTS)) {
            double ratio = (double) bytes(int8.exportState()) / bytes(fp32.exportState());
            System.out.printf("8-bit AdamW state: %d bytes for %d values, %.3f of fp32%n", bytes(int8.exportState()),
                    big.size(), ratio);
            assertEquals(ratio, (double) int8.stateBytes() / (8 * big.size()), 1e-12);
            assertTrue(ratio > 0.24 && ratio < 0.26, "ratio " + ratio);
            OptimizerState s = mixed.exportState();
            assertEquals(dev.orpo.model.io.DType.F32, s.tensor("exp_avg.small").dtype(), "under min_8bit_size");
            assertEquals(2, s.tensors().size());
        }
    }

    @Test
    void restoredStateContinuesBitForBit() {
        int n = 5000;
        NDArray a = parameter(gaussian(n, 7, 0.1));
        NDArray b = parameter(a.toFloatArray());
        AdamW.Config config = new AdamW.Config(0.9, 0.999, 1e-8, 0.01);
        try (AdamW8bit first = new AdamW8bit(Map.of("w", a), config);
             AdamW8bit second = new AdamW8bit(Map.of("w", b), config)) {
            for (int s = 0; s < 3; s++) {
                gradients(a, gaussian(n, 20 + s, 0.05));
                first.step(1e-3);
            }
            second.importState(first.exportState());
            b.set(a.toFloatArray());
            for (int s = 3; s < 6; s++) {
                float[] g = gaussian(n, 20 + s, 0.05);
                gradients(a, g);
                gradients(b, g);
                first.step(1e-3);
                second.step(1e-3);
            }
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f);
            assertEquals(6, second.stepCount());
            OptimizerState x = first.exportState();
            OptimizerState y = second.exportState();
            x.tensors().forEach((k, t) -> assertArrayEquals(t.data(), y.tensor(k).data(), k));
            // an fp32 AdamW state is refused, naming the optimizer
            try (AdamW fp32 = new AdamW(Map.of("w", parameter(new float[n])), config)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> second.importState(fp32.exportState()));
                assertTrue(e.getMessage().contains("adamw_torch"), e.getMessage());
            }
        }
    }

    private static long bytes(OptimizerState s) {
        return s.tensors().values().stream().mapToLong(t -> t.data().length).sum();
    }

    private NDArray parameter(float[] values) {
        NDArray p = dev.orpo.model.tensor.HostArrays.floats(manager, values, new Shape(values.length));
        p.setRequiresGradient(true);
        return p;
    }

    /** Makes {@code g} the (accumulated) gradient of {@code p}: d(sum p·g)/dp = g. */
    private void gradients(NDArray p, float[] g) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector();
             NDArray grad = dev.orpo.model.tensor.HostArrays.floats(manager, g, p.getShape())) {
            gc.backward(p.mul(grad).sum());
        }
    }

    private static void assertMostlyEqual(byte[] expected, byte[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        List<Integer> differ = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                assertTrue(Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF)) <= 1, what + " " + i + " off by more"
                        + " than one code");
                differ.add(i);
            }
        }
        assertTrue(differ.size() <= expected.length / 200, what + " differ at " + differ);
    }

    static float[] gaussian(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (scale * nextGaussian(r));
        }
        return out;
    }

    private static double nextGaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

}
