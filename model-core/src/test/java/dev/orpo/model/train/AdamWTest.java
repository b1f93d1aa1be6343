package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamWTest {

    @Test
    void threeClippedStepsMatchTorchAdamWAndClipGradNorm() throws Exception {
        JsonNode golden;
        try (InputStream in = AdamWTest.class.getResourceAsStream("/golden/orpo/adamw.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        AdamW.Config config = new AdamW.Config(golden.get("beta1").asDouble(), golden.get("beta2").asDouble(),
                golden.get("eps").asDouble(), golden.get("weight_decay").asDouble());
        double lr = golden.get("lr").asDouble();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (int i = 0; i < golden.get("shapes").size(); i++) {
                NDArray p = m.create(doubles(golden.get("init").get(i)), shape(golden.get("shapes").get(i)));
                p.setRequiresGradient(true);
                params.put("p" + i, p);
            }
            List<NDArray> list = new ArrayList<>(params.values());
            try (AdamW adam = new AdamW(params, config)) {
                for (JsonNode s : golden.get("steps")) {
                    setGradients(m, list, s.get("grads"));
                    double norm = GradientClipping.clipByGlobalNorm(list, golden.get("max_grad_norm").asDouble());
                    assertEquals(s.get("grad_norm").asDouble(), norm, 1e-12, "grad_norm");
                    adam.step(lr);
                    for (int i = 0; i < list.size(); i++) {
                        assertArrayEquals(doubles(s.get("params").get(i)), list.get(i).toDoubleArray(), 1e-12,
                                "param " + i + " after step " + adam.stepCount());
                    }
                    // step zeroes the accumulated gradients
                    assertEquals(0.0, list.get(0).getGradient().abs().sum().getDouble(), 0.0);
                }
                assertEquals(3, adam.stepCount());
            }
        }
    }

    @Test
    void exportedStateRestoresIdenticalUpdates() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1f, -2f, 3f});
            NDArray b = m.create(new float[] {1f, -2f, 3f});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            AdamW.Config config = new AdamW.Config(0.9, 0.999, 1e-8, 0.01);
            try (AdamW first = new AdamW(Map.of("w", a), config); AdamW second = new AdamW(Map.of("w", b), config)) {
                setGradients(m, List.of(a), new ObjectMapper().createArrayNode().add(
                        new ObjectMapper().createArrayNode().add(0.5).add(-1).add(2)));
                first.step(0.1);
                OptimizerState state = first.exportState();
                assertEquals(1, state.step());
                b.set(a.toFloatArray());
                second.importState(state);
                assertEquals(3, state.tensor("exp_avg.w").floats("exp_avg.w").length);
                setGradients(m, List.of(a, b), new ObjectMapper().createArrayNode()
                        .add(new ObjectMapper().createArrayNode().add(-0.3).add(0.2).add(1))
                        .add(new ObjectMapper().createArrayNode().add(-0.3).add(0.2).add(1)));
                first.step(0.1);
                second.step(0.1);
                assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f);
                assertThrows(IllegalArgumentException.class, () -> second.importState(new OptimizerState(1,
                        AdamW.NAME, Map.of("exp_avg.w", OptimizerState.Tensor.floats(new float[2], new long[] {2}),
                        "exp_avg_sq.w", OptimizerState.Tensor.floats(new float[3], new long[] {3})))));
            }
        }
    }

    @Test
    void clippingLeavesSmallGradientsAloneAndReturnsTheirNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new double[] {1, 2});
            p.setRequiresGradient(true);
            setGradients(m, List.of(p), new ObjectMapper().createArrayNode()
                    .add(new ObjectMapper().createArrayNode().add(0.3).add(0.4)));
            assertEquals(0.5, GradientClipping.clipByGlobalNorm(List.of(p), 1.0), 1e-12);
            assertArrayEquals(new double[] {0.3, 0.4}, p.getGradient().toDoubleArray(), 1e-12);
            assertEquals(0.5, GradientClipping.clipByGlobalNorm(List.of(p), 0.25), 1e-12);
            assertArrayEquals(new double[] {0.15, 0.2}, p.getGradient().toDoubleArray(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(List.of(p), 0));
        }
    }

    @Test
    void rejectsParametersWithoutGradientAndBadHyperParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray frozen = m.zeros(new Shape(2), DataType.FLOAT32);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new AdamW(Map.of("frozen", frozen), AdamW.Config.DEFAULTS));
            assertEquals("parameter frozen does not require a gradient", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Config(1.0, 0.999, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Config(0.9, 0.999, 0, 0));
    }

    /** Makes d(sum_i <p_i, g_i>)/dp_i = g_i the (accumulated) gradient of each parameter. */
    private static void setGradients(NDManager m, List<NDArray> params, JsonNode grads) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray total = null;
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = m.create(doubles(grads.get(i)), p.getShape()).toType(p.getDataType(), false);
                NDArray term = p.mul(g).sum();
                total = total == null ? term : total.add(term);
            }
            gc.backward(total);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static Shape shape(JsonNode dims) {
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).asLong();
        }
        return new Shape(d);
    }
}
