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

/**
 * ORPO loss, metrics, per-row values and d loss / d logits against TRL's formulas run in float64 PyTorch. Every value is
 * compared with a relative tolerance plus a small absolute floor: most expected gradients are tiny (in the extreme case
 * 176 of the 231 non-padding ones are below 1e-5, the smallest 5e-42), so an absolute tolerance alone would let
 * all-zero gradients pass.
 */
class OrpoLossGoldenTest {

    /** float64 against float64: summation order differs; values that cancel to ~1e-11 keep ~1e-17 absolute error. */
    private static final Tolerance FLOAT64 = new Tolerance(1e-10, 1e-15);
    /** float32 logits: ~7 significant digits per op; the floor covers values that cancel to ~1e-8. */
    private static final Tolerance FLOAT32 = new Tolerance(1e-5, 1e-8);
    /**
     * The extreme case's chosen log-prob is −2.5e-10, a sum of log-softmax values near 0 known to ~1e-16 absolute (7
     * significant digits); its log odds take log(1 − e^logp) ≈ log(−logp), which turns that relative error (3e-7
     * measured) into an absolute one on values near 85 (1e-8 relative). Only the log-odds quantities of that case get
     * this bound.
     */
    private static final Tolerance FLOAT64_LOG_ODDS_OF_TINY_LOGPS = new Tolerance(1e-7, 1e-15);

    /** |actual − expected| ≤ abs + rel · |expected|. */
    record Tolerance(double rel, double abs) {
        void check(double expected, double actual, String what) {
            double allowed = abs + rel * Math.abs(expected);
            if (!(Math.abs(actual - expected) <= allowed)) {
                throw new AssertionError(what + ": expected " + expected + " but was " + actual + " (allowed "
                        + allowed + ")");
            }
        }
    }
    private static final JsonNode ROOT = OrpoGolden.load("orpo_loss.json");

    @ParameterizedTest
    @ValueSource(strings = {"default", "completion_only", "beta_0.5", "extreme"})
    void lossMetricsRowsAndGradientMatchTorchGolden(String name) {
        check(name, DataType.FLOAT64, FLOAT64);
    }

    /** The trainer runs in float32: the same golden values hold to 1e-5 relative (the extreme case needs float64 range). */
    @ParameterizedTest
    @ValueSource(strings = {"default", "completion_only", "beta_0.5"})
    void float32LogitsMatchTorchGoldenWithinTolerance(String name) {
        check(name, DataType.FLOAT32, FLOAT32);
    }

    private static void check(String name, DataType type, Tolerance tol) {
        Tolerance logOdds = name.equals("extreme") ? FLOAT64_LOG_ODDS_OF_TINY_LOGPS : tol;
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
            tol.check(c.get("loss").asDouble(), out.lossValue(), "loss");
            Map<String, Double> metrics = out.metrics();
            assertEquals(11, metrics.size());
            c.get("metrics").fields().forEachRemaining(e ->
                    (e.getKey().startsWith("log_odds") ? logOdds : tol).check(e.getValue().asDouble(),
                            metrics.get(e.getKey()), e.getKey()));

            List<OrpoRow> rows = out.rows();
            JsonNode r = c.get("rows");
            for (int i = 0; i < rows.size(); i++) {
                tol.check(r.get("chosen_logps").get(i).asDouble(), rows.get(i).chosenLogps(), "chosen_logps " + i);
                tol.check(r.get("rejected_logps").get(i).asDouble(), rows.get(i).rejectedLogps(), "rejected " + i);
                logOdds.check(r.get("log_odds").get(i).asDouble(), rows.get(i).logOdds(), "log_odds " + i);
                tol.check(r.get("nll").get(i).asDouble(), rows.get(i).nll(), "nll " + i);
                assertEquals(r.get("nll_tokens").get(i).asLong(), rows.get(i).nllTokens(), "nll tokens " + i);
            }

            double[] expectedGrad = doubles(c.get("grad"));
            double[] grad = logits.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            for (int i = 0; i < grad.length; i++) {
                tol.check(expectedGrad[i], grad[i], "d loss / d logits[" + i + "]");
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
