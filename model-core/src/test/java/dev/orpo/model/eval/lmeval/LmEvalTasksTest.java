package dev.orpo.model.eval.lmeval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.eval.ChoiceTask;
import dev.orpo.model.eval.DocResult;
import dev.orpo.model.eval.FewShot;
import dev.orpo.model.eval.LoglikelihoodScorer;
import dev.orpo.model.eval.Metric;
import dev.orpo.model.eval.MultipleChoice;
import dev.orpo.model.eval.Question;
import dev.orpo.model.eval.Suites;
import dev.orpo.model.eval.TaskResult;
import dev.orpo.model.eval.TextEncoder;
import dev.orpo.model.llama.Attention;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.synthetic.SyntheticLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each task of the seed's table on hand-written rows in its hub schema ({@code lmeval/rows.json}). The expected
 * requests ({@code lmeval/expected.json}) were rendered by lm-evaluation-harness's own task YAMLs and utils
 * ({@code tools/lm-eval-golden/render_requests.py}); the expected log-likelihoods come from a plain forward pass over
 * each request's tokens, summed by hand here.
 */
class LmEvalTasksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static NDManager manager;
    private static LlamaModel model;
    private static JsonNode rows;
    private static JsonNode expected;

    /** A byte-level stand-in for BPE: a space merges with the character after it, so token boundaries matter. */
    static final TextEncoder ENCODER = text -> {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' && i + 1 < text.length() && text.charAt(i + 1) != ' ') {
                ids.add(64 + text.charAt(++i) % 60);
            } else {
                ids.add(4 + c % 60);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    };

    @BeforeAll
    static void load(@TempDir Path dir) throws IOException {
        LlamaConfig c = SyntheticLlama.config(128, 32, 2, 4, 2, 64);
        LlamaConfig longer = new LlamaConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.rmsNormEps(),
                c.ropeTheta(), c.ropeScaling(), 1024, c.tieWordEmbeddings(), c.attentionBias(), c.bosTokenId(),
                c.eosTokenIds(), c.padTokenId(), c.torchDtype());
        manager = NDManager.newBaseManager();
        model = PretrainedLlama.load(SyntheticLlama.write(dir, longer, 7), manager);
        rows = resource("/lmeval/rows.json");
        expected = resource("/lmeval/expected.json");
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    private static JsonNode resource(String name) throws IOException {
        try (InputStream in = LmEvalTasksTest.class.getResourceAsStream(name)) {
            return JSON.readTree(in);
        }
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        if (array != null) {
            array.forEach(out::add);
        }
        return out;
    }

    private static ChoiceTask task(String name) {
        JsonNode r = rows.get(name);
        return LmEvalTasks.require(name).task(list(r.get("eval")), list(r.get("fewshot")), "rows.json");
    }

    @Test
    void requestsMatchLmEvalsRenderingZeroAndTwoShot() {
        for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            ChoiceTask task = task(name);
            for (Iterator<String> ks = expected.get(name).fieldNames(); ks.hasNext(); ) {
                String k = ks.next();
                JsonNode docs = expected.get(name).get(k);
                assertEquals(docs.size(), task.size(), name + ": questions (rows lm-eval keeps)");
                List<String> prefixes = MultipleChoice.fewShotPrefixes(task, new FewShot(Integer.parseInt(
                        k.substring(1)), FewShot.LM_EVAL_SEED), task.size());
                for (int d = 0; d < docs.size(); d++) {
                    Question q = task.questions().get(d);
                    JsonNode doc = docs.get(d);
                    String where = name + " " + k + " doc " + d;
                    assertEquals(strings(doc.get("choices")), q.choices(), where);
                    assertEquals(ints(doc.get("gold")), q.gold(), where);
                    for (int c = 0; c < q.choices().size(); c++) {
                        assertEquals(doc.get("requests").get(c).get(0).asText(), prefixes.get(d) + q.contexts().get(c),
                                where + " context " + c);
                        assertEquals(doc.get("requests").get(c).get(1).asText(), q.continuations().get(c),
                                where + " continuation " + c);
                    }
                }
            }
        }
    }

    @Test
    void scoresMatchAPlainForwardPassOverEachRequest() {
        for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            ChoiceTask task = task(name);
            FewShot twoShot = new FewShot(2, FewShot.LM_EVAL_SEED);
            String k = expected.get(name).has("k2") && task.fixedShots() == null ? "k2" : "k0";
            TaskResult result = new MultipleChoice(new LoglikelihoodScorer(model::logits, manager, 1024, 3))
                    .score(task, ENCODER, 1, k.equals("k2") ? twoShot : FewShot.ZERO, null);
            JsonNode docs = expected.get(name).get(k);
            double acc = 0;
            double accNorm = 0;
            double mc2 = 0;
            for (int d = 0; d < docs.size(); d++) {
                JsonNode requests = docs.get(d).get("requests");
                List<String> choices = strings(docs.get(d).get("choices"));
                List<Integer> gold = ints(docs.get(d).get("gold"));
                double[] ll = new double[requests.size()];
                double[] norm = new double[requests.size()];
                for (int c = 0; c < ll.length; c++) {
                    ll[c] = forwardLoglikelihood(requests.get(c).get(0).asText(), requests.get(c).get(1).asText());
                    norm[c] = ll[c] / choices.get(c).codePointCount(0, choices.get(c).length());
                }
                DocResult got = result.docs().get(d);
                for (int c = 0; c < ll.length; c++) {
                    assertEquals(ll[c], got.loglikelihoods()[c], 2e-3 + 1e-4 * Math.abs(ll[c]),
                            name + " doc " + d + " choice " + c);
                }
                acc += gold.contains(argmax(ll)) ? 1 : 0;
                accNorm += gold.contains(argmax(norm)) ? 1 : 0;
                double total = Arrays.stream(ll).map(Math::exp).sum();
                mc2 += gold.stream().mapToDouble(g -> Math.exp(ll[g])).sum() / total;
            }
            int n = docs.size();
            assertEquals(result.n(), n, name);
            if (task.metrics().contains(Metric.ACC)) {
                assertEquals(acc / n, result.get(Metric.ACC), 1e-9, name + " acc");
            }
            if (task.metrics().contains(Metric.ACC_NORM)) {
                assertEquals(accNorm / n, result.get(Metric.ACC_NORM), 1e-9, name + " acc_norm");
            }
            if (task.metrics().contains(Metric.MC2)) {
                assertEquals(mc2 / n, result.get(Metric.MC2), 1e-4, name + " mc2");
            }
        }
    }

    /**
     * log p(continuation | context) by hand: lm-eval's token split (the continuation is the joint encoding's tail), one
     * unpadded forward pass over all tokens, log-softmax in double precision at each continuation position.
     */
    private static double forwardLoglikelihood(String context, String continuation) {
        int[] ctx = ENCODER.encode(context);
        int[] whole = ENCODER.encode(context + continuation);
        long[] ids = Arrays.stream(whole).asLongStream().toArray();
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        float[] logits;
        int vocab = model.config().vocabSize();
        try (NDManager m = manager.newSubManager()) {
            NDArray in = m.create(ids).reshape(1, ids.length); // (1, T)
            NDArray mask = m.create(ones).reshape(1, ids.length); // (1, T)
            logits = model.logits(in, Attention.padded(mask)).toFloatArray(); // (1, T, V) flattened
        }
        double sum = 0;
        for (int t = ctx.length; t < whole.length; t++) {
            int row = (t - 1) * vocab; // position t-1 predicts token t
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[row + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(logits[row + v] - max);
            }
            sum += logits[row + whole[t]] - max - Math.log(z);
        }
        return sum;
    }

    private static int argmax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Test
    void everyTaskOfTheSeedsTableIsDefinedOnceAndNousSelectsThemAll() {
        List<String> names = LmEvalTasks.ALL.stream().map(LmEvalTask::name).toList();
        assertEquals(names.size(), new HashSet<>(names).size(), "unique task names");
        List<String> nous = Suites.select("nous");
        assertEquals(8 + 7 + 2 + 14, nous.size());
        assertEquals(new HashSet<>(names), new HashSet<>(nous));
        assertEquals(List.of("arc_easy", "truthfulqa_mc1", "truthfulqa_mc2"), Suites.select("arc_easy, truthfulqa"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Suites.select("gpt4all,mmlu"));
        assertTrue(e.getMessage().contains("'mmlu'"), e.getMessage());
        for (LmEvalTask t : LmEvalTasks.ALL) {
            assertTrue(Suites.of(t.name()).isPresent(), t.name() + " belongs to a suite");
        }
    }

    @Test
    void agievalFewShotExamplesAnswerWithTheFirstGoldChoice() {
        // lm-eval cannot render AGIEval with num_fewshot > 0 (its targets are lists); we take the first right choice
        ChoiceTask task = task("agieval_aqua_rat");
        Question which = task.questions().get(1);
        assertEquals(which.contexts().get(0) + " (B)4", which.example());
        assertEquals(task.questions(), task.fewShotPool(), "the test split is its own few-shot pool");
    }

    @Test
    void badRowsAreNamedWithTaskSplitRowAndField() {
        LmEvalTask arc = LmEvalTasks.require("arc_easy");
        List<JsonNode> good = list(rows.get("arc_easy").get("eval"));
        JsonNode bad = good.get(0).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) bad).put("answerKey", "Z");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> arc.task(List.of(good.get(1), bad), List.of(), "test.parquet"));
        assertEquals("arc_easy test split (test.parquet) row 1: answerKey 'Z' is not one of [A, B, C, D]",
                e.getMessage());
        JsonNode noLabel = JSON.createObjectNode().put("sentence", "A _ b.").put("option1", "x").put("option2", "y");
        e = assertThrows(IllegalArgumentException.class, () -> LmEvalTasks.require("winogrande")
                .task(List.of(noLabel), List.of(), "w.jsonl"));
        assertTrue(e.getMessage().endsWith("row 0: field answer is missing"), e.getMessage());
        JsonNode hellaswag = rows.get("hellaswag").get("eval").get(0).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) hellaswag).put("label", "x");
        e = assertThrows(IllegalArgumentException.class, () -> LmEvalTasks.require("hellaswag")
                .task(List.of(hellaswag), List.of(), "h.parquet"));
        assertTrue(e.getMessage().endsWith("field label must be an integer, got string \"x\""), e.getMessage());
        assertEquals(Map.of(), Map.of());
    }
}
