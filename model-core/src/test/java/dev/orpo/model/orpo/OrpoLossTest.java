package dev.orpo.model.orpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrpoLossTest {

    private static final int VOCAB = 6;
    private final List<PreferencePair> pairs = List.of(
            PreferencePair.ofIds(new int[] {1, 2}, new int[] {3, 4}, new int[] {5}),
            PreferencePair.ofIds(new int[] {1}, new int[] {2, 2, 3}, new int[] {4, 5}));

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            PreferenceBatch batch = PreferenceCollator.withPad(0).collate(pairs, m);
            double[] x = randomLogits(batch, 11, 2.0);
            Shape shape = new Shape(4, batch.length(), VOCAB);
            NDArray logits = m.create(x, shape);
            logits.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(OrpoLoss.compute(logits, batch, 0.3).loss());
            }
            double[] grad = logits.getGradient().toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < x.length; i += 3) {
                double[] plus = x.clone();
                double[] minus = x.clone();
                plus[i] += h;
                minus[i] -= h;
                double numeric = (loss(m, plus, shape, batch) - loss(m, minus, shape, batch)) / (2 * h);
                assertEquals(numeric, grad[i], 1e-5, "d loss / d logits[" + i + "]");
            }
        }
    }

    @Test
    void gradientIsUnchangedByGarbageCollectionBetweenForwardAndBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            PreferenceBatch batch = PreferenceCollator.withPad(0).collate(pairs, m);
            float[] x = new float[4 * batch.length() * VOCAB];
            Random rng = new Random(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            assertArrayEquals(logitGradient(m, batch, x, false), logitGradient(m, batch, x, true));
        }
    }

    /** d loss / d logits in float32; with {@code churn}, collected direct memory is reused before backward. */
    private static float[] logitGradient(NDManager m, PreferenceBatch batch, float[] x, boolean churn) {
        try (ai.djl.ndarray.NDScope ignored = new ai.djl.ndarray.NDScope()) {
            NDArray logits = m.create(x, new Shape(4, batch.length(), VOCAB)).duplicate();
            logits.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = OrpoLoss.compute(logits, batch, 0.1).loss();
                if (churn) {
                    dev.orpo.model.llama.GcChurn.collectAndReuseDirectMemory();
                }
                gc.backward(loss);
            }
            return logits.getGradient().toFloatArray();
        }
    }

    @Test
    void chosenProbabilityOneInFloat32StaysFinite() {
        try (NDManager m = NDManager.newBaseManager()) {
            PreferenceBatch batch = PreferenceCollator.withPad(0).collate(pairs, m);
            int t = batch.length();
            long[] labels = batch.labels().toLongArray();
            float[] x = new float[4 * t * VOCAB];
            // chosen labels get logit +40 (log-softmax rounds to exactly 0 in float32), rejected labels -80
            for (int row = 0; row < 4; row++) {
                for (int j = 0; j + 1 < t; j++) {
                    long target = labels[row * t + j + 1];
                    if (target >= 0) {
                        x[(row * t + j) * VOCAB + (int) target] = row < 2 ? 40f : -80f;
                    }
                }
            }
            NDArray logits = m.create(x, new Shape(4, t, VOCAB));
            logits.setRequiresGradient(true);
            OrpoOutput out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = OrpoLoss.compute(logits, batch, 0.1);
                gc.backward(out.loss());
            }
            assertTrue(out.rows().get(0).chosenLogps() > -1e-6, "chosen log-prob should be ~0");
            assertTrue(out.rows().get(0).rejectedLogps() < -70, "rejected log-prob should be very negative");
            for (Map.Entry<String, Double> e : out.metrics().entrySet()) {
                assertTrue(Double.isFinite(e.getValue()), e.getKey() + " = " + e.getValue());
            }
            assertTrue(Double.isFinite(out.lossValue()));
            NDArray grad = logits.getGradient();
            assertFalse(grad.isNaN().any().getBoolean(), "NaN in gradient");
            assertFalse(grad.isInfinite().any().getBoolean(), "Inf in gradient");
        }
    }

    @Test
    void log1mexpIsAccurateNearZeroAndForVeryNegativeInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] xs = {-1e-12, -1e-6, -0.5, -Math.log(2), -0.7, -5, -50, -800};
            double[] got = OrpoMath.log1mexp(m.create(xs)).toDoubleArray();
            for (int i = 0; i < xs.length; i++) {
                double expected = xs[i] < -Math.log(2) ? Math.log1p(-Math.exp(xs[i])) : Math.log(-Math.expm1(xs[i]));
                assertEquals(expected, got[i], 1e-12 * Math.max(1, Math.abs(expected)), "log1mexp(" + xs[i] + ")");
            }
            double[] ls = OrpoMath.logSigmoid(m.create(new double[] {-800, -3, 0, 3, 800})).toDoubleArray();
            assertEquals(-800, ls[0], 1e-12);
            assertEquals(-Math.log1p(Math.exp(3)), ls[1], 1e-12);
            assertEquals(-Math.log(2), ls[2], 1e-12);
            assertEquals(-Math.log1p(Math.exp(-3)), ls[3], 1e-12);
            assertEquals(0, ls[4], 1e-300);
        }
    }

    @Test
    void dropPromptLossChangesOnlyTheNllTerm() {
        try (NDManager m = NDManager.newBaseManager()) {
            PreferenceBatch full = new PreferenceCollator(0, true).collate(pairs, m);
            PreferenceBatch answerOnly = new PreferenceCollator(0, false).collate(pairs, m);
            NDArray logits = m.create(randomLogits(full, 5, 1.5), new Shape(4, full.length(), VOCAB));
            Map<String, Double> a = OrpoLoss.compute(logits, full, 0.1).metrics();
            Map<String, Double> b = OrpoLoss.compute(logits, answerOnly, 0.1).metrics();
            for (String key : a.keySet()) {
                if (key.equals("nll_loss")) {
                    assertNotEquals(a.get(key), b.get(key), 1e-9, key);
                } else {
                    assertEquals(a.get(key), b.get(key), 1e-12, key);
                }
            }
        }
    }

    @Test
    void rejectsLogitsWhoseShapeDoesNotMatchTheBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            PreferenceBatch batch = PreferenceCollator.withPad(0).collate(pairs, m);
            NDArray wrong = m.zeros(new Shape(2, batch.length(), VOCAB), DataType.FLOAT32);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OrpoLoss.compute(wrong, batch, 0.1));
            assertTrue(e.getMessage().contains("(R, T, V) = (4, " + batch.length() + ")"), e.getMessage());
            NDArray ok = m.zeros(new Shape(4, batch.length(), VOCAB), DataType.FLOAT32);
            assertThrows(IllegalArgumentException.class, () -> OrpoLoss.compute(ok, batch, Double.NaN));
        }
    }

    private static double loss(NDManager m, double[] x, Shape shape, PreferenceBatch batch) {
        return OrpoLoss.compute(m.create(x, shape), batch, 0.3).lossValue();
    }

    private static double[] randomLogits(PreferenceBatch batch, long seed, double scale) {
        Random random = new Random(seed);
        double[] x = new double[4 * batch.length() * VOCAB];
        for (int i = 0; i < x.length; i++) {
            x[i] = scale * random.nextGaussian();
        }
        return x;
    }
}
