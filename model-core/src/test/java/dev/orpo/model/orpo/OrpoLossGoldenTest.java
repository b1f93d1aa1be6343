package dev.orpo.model.orpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static dev.orpo.model.orpo.OrpoGolden.doubles;
import static dev.orpo.model.orpo.OrpoGolden.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** ORPO loss, metrics, per-row values and d loss / d logits against TRL's formulas run in float64 PyTorch. */
class OrpoLossGoldenTest {

    private static final double TOL = 1e-5;
    private static final JsonNode ROOT = OrpoGolden.load("orpo_loss.json");

    @ParameterizedTest
    @ValueSource(strings = {"default", "completion_only", "beta_0.5", "extreme"})
    void lossMetricsRowsAndGradientMatchTorchGolden(String name) {
        check(name, DataType.FLOAT64);
    }

    /** The trainer runs in float32: the same golden values hold to 1e-5 (the extreme case needs float64 range). */
    @ParameterizedTest
    @ValueSource(strings = {"default", "completion_only", "beta_0.5"})
    void float32LogitsMatchTorchGoldenWithinTolerance(String name) {
        check(name, DataType.FLOAT32);
    }

    private static void check(String name, DataType type) {
        JsonNode c = OrpoGolden.testCase(ROOT, name);
        List<PreferencePair> pairs = OrpoGolden.pairs(ROOT);
        try (NDManager m = NDManager.newBaseManager()) {
            PreferenceBatch batch = new PreferenceCollator(ROOT.get("pad_id").asLong(), c.get("prompt_loss").asBoolean())
                    .collate(pairs, m);
            assertArrayEquals(longs(c.get("input_ids")), batch.inputIds().toLongArray(), "input_ids");
            assertArrayEquals(longs(c.get("labels")), batch.labels().toLongArray(), "labels");
            // TRL's chosen rows; column 0 is never scored (no predecessor), TRL writes the token there, we −100
            assertArrayEquals(fromColumnOne(longs(c.get("nll_labels")), batch.length()),
                    batch.nllLabels().get(":{}, 1:", batch.pairs()).toLongArray(), "nll labels");

            long[] dims = longs(c.get("shape"));
            NDArray logits = m.create(doubles(c.get("logits")), new Shape(dims)).toType(type, false);
            logits.setRequiresGradient(true);
            OrpoOutput out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = OrpoLoss.compute(logits, batch, c.get("beta").asDouble());
                gc.backward(out.loss());
            }
            assertEquals(c.get("loss").asDouble(), out.lossValue(), TOL, "loss");
            Map<String, Double> metrics = out.metrics();
            assertEquals(11, metrics.size());
            c.get("metrics").fields().forEachRemaining(e ->
                    assertEquals(e.getValue().asDouble(), metrics.get(e.getKey()), TOL, e.getKey()));

            List<OrpoRow> rows = out.rows();
            JsonNode r = c.get("rows");
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(r.get("chosen_logps").get(i).asDouble(), rows.get(i).chosenLogps(), TOL, "chosen_logps " + i);
                assertEquals(r.get("rejected_logps").get(i).asDouble(), rows.get(i).rejectedLogps(), TOL, "rejected " + i);
                assertEquals(r.get("log_odds").get(i).asDouble(), rows.get(i).logOdds(), TOL, "log_odds " + i);
                assertEquals(r.get("nll").get(i).asDouble(), rows.get(i).nll(), TOL, "nll " + i);
                assertEquals(r.get("nll_tokens").get(i).asLong(), rows.get(i).nllTokens(), "nll tokens " + i);
            }

            double[] expectedGrad = doubles(c.get("grad"));
            double[] grad = logits.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            for (int i = 0; i < grad.length; i++) {
                assertEquals(expectedGrad[i], grad[i], TOL, "d loss / d logits[" + i + "]");
            }
        }
    }

    /** Row-major (rows, t) → its columns 1 … t−1. */
    private static long[] fromColumnOne(long[] rows, int t) {
        long[] out = new long[rows.length / t * (t - 1)];
        for (int r = 0; r < rows.length / t; r++) {
            System.arraycopy(rows, r * t + 1, out, r * (t - 1), t - 1);
        }
        return out;
    }
}
