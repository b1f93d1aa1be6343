package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test helper: one training-mode micro-batch step from the model's current weights, with the gradients it left on the
 * trainable tensors (read, then zeroed, so the next step starts clean).
 */
record StepRun(MicroBatchStep.Result result, Map<String, float[]> gradients) {

    static StepRun of(LlamaModel model, List<PreferencePair> pairs, PreferenceCollator collator,
                      MicroBatchStep.Options options) {
        model.setTraining(true);
        try (NDScope scope = new NDScope()) {
            MicroBatchStep.Result result = MicroBatchStep.run(model, collator.collate(pairs, model.manager()), options);
            Map<String, float[]> gradients = new LinkedHashMap<>();
            TrainableTensors.of(model).forEach((name, tensor) -> {
                NDArray g = tensor.getGradient();
                gradients.put(name, g.toFloatArray());
                g.muli(0);
            });
            return new StepRun(result, gradients);
        }
    }

    /**
     * Asserts that {@code actual} has {@code expected}'s loss and metrics (within {@code metricTolerance} ×
     * max(1, |value|)) except those named in {@code skipped}, non-trivial gradients, and gradients equal within
     * {@code gradientTolerance} × max(1, largest |gradient|).
     */
    static void assertSameStep(StepRun expected, StepRun actual, double metricTolerance, double gradientTolerance,
                               String where, Set<String> skipped) {
        assertEquals(expected.result.loss(), actual.result.loss(),
                metricTolerance * Math.max(1, Math.abs(expected.result.loss())), where + ": loss");
        assertEquals(expected.result.metrics().keySet(), actual.result.metrics().keySet(), where);
        expected.result.metrics().forEach((k, v) -> {
            if (!skipped.contains(k)) {
                assertEquals(v, actual.result.metrics().get(k), metricTolerance * Math.max(1, Math.abs(v)),
                        where + ": " + k);
            }
        });
        double largest = expected.largestGradient();
        assertTrue(largest > 1e-3, where + ": gradients are not trivially zero: " + largest);
        double diff = maxDiff(expected.gradients, actual.gradients);
        System.out.printf("%s: max |grad diff| %.3g, max |grad| %.3g%n", where, diff, largest);
        assertTrue(diff <= gradientTolerance * Math.max(1, largest), where + ": max |gradient difference| " + diff);
    }

    /** {@link #assertSameStep(StepRun, StepRun, double, double, String, Set)} over every metric. */
    static void assertSameStep(StepRun expected, StepRun actual, double metricTolerance, double gradientTolerance,
                               String where) {
        assertSameStep(expected, actual, metricTolerance, gradientTolerance, where, Set.of());
    }

    /** The largest |gradient| of any trainable tensor. */
    double largestGradient() {
        double largest = 0;
        for (float[] g : gradients.values()) {
            for (float v : g) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        return largest;
    }

    /** The largest |a − b| over equally named tensors (the names must agree). */
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
