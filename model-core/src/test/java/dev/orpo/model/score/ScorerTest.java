package dev.orpo.model.score;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.orpo.OrpoLoss;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ScorerTest {

    private static final int VOCAB = 13;
    private static final int DIM = 8;
    private NDManager manager;
    private CausalLm model;
    private List<PreferencePair> pairs;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(42);
        Random random = new Random(42);
        NDArray embed = manager.randomNormal(0, 1, new Shape(VOCAB, DIM), DataType.FLOAT32); // (V, D)
        NDArray head = manager.randomNormal(0, 1, new Shape(DIM, VOCAB), DataType.FLOAT32); // (D, V)
        // a causal toy LM: running mean of the embeddings so far, projected to the vocabulary
        model = (ids, attention) -> {
            NDArray x = embed.get(ids); // (R, T, D)
            NDArray count = attention.positionIds().add(1).toType(DataType.FLOAT32, false).expandDims(-1); // (R, T, 1)
            return x.cumSum(1).div(count).matMul(head); // (R, T, V)
        };
        pairs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            pairs.add(PreferencePair.ofIds(ids(random, 1 + random.nextInt(4)), ids(random, 1 + random.nextInt(5)),
                    ids(random, 1 + random.nextInt(6))));
        }
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void resultsDoNotDependOnBatchSize() {
        ScoreReport one = score(1, true);
        for (int batchSize : new int[] {2, 3, 7, 20}) {
            ScoreReport other = score(batchSize, true);
            for (Map.Entry<String, Double> e : one.summary().entrySet()) {
                assertEquals(e.getValue(), other.summary().get(e.getKey()), 1e-5, e.getKey() + " @" + batchSize);
            }
            for (int i = 0; i < pairs.size(); i++) {
                RowScore a = one.rows().get(i);
                RowScore b = other.rows().get(i);
                assertEquals(a.chosenLogps(), b.chosenLogps(), 1e-5);
                assertEquals(a.rejectedLogps(), b.rejectedLogps(), 1e-5);
                assertEquals(a.logOdds(), b.logOdds(), 1e-5);
                assertEquals(a.nll(), b.nll(), 1e-5);
            }
        }
    }

    @Test
    void summaryEqualsOneTrlBatchOverAllPairs() {
        ScoreReport report = score(2, true);
        try (PreferenceBatch all = PreferenceCollator.withPad(0).collate(pairs, manager)) {
            NDArray logits = model.logits(all.inputIds(), all.attention());
            var out = OrpoLoss.compute(logits, all, 0.1);
            Map<String, Double> trl = out.metrics();
            for (Map.Entry<String, Double> e : trl.entrySet()) {
                if (!e.getKey().startsWith("logits/")) { // TRL's logits means include padding positions
                    assertEquals(e.getValue(), report.summary().get(e.getKey()), 1e-5, e.getKey());
                }
            }
            assertEquals(out.lossValue(), report.summary().get("loss"), 1e-5);
        }
        // the token-weighted NLL differs from a mean of per-row NLLs when rows have different lengths
        double meanOfRows = report.rows().stream().mapToDouble(RowScore::nll).average().orElseThrow();
        assertNotEquals(meanOfRows, report.summary().get("nll_loss"), 1e-6);
        assertEquals(12, report.summary().size());
    }

    @Test
    void withoutPromptLossOnlyNllAndLossChange() {
        ScoreReport full = score(3, true);
        ScoreReport answers = score(3, false);
        for (String key : full.summary().keySet()) {
            if (key.equals("nll_loss") || key.equals("loss")) {
                assertNotEquals(full.summary().get(key), answers.summary().get(key), 1e-9, key);
            } else {
                assertEquals(full.summary().get(key), answers.summary().get(key), 1e-12, key);
            }
        }
    }

    private ScoreReport score(int batchSize, boolean promptLoss) {
        return new Scorer(model, manager, new ScoreConfig(0.1, promptLoss, batchSize, 0)).score(pairs);
    }

    private static int[] ids(Random random, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextInt(VOCAB);
        }
        return out;
    }
}
