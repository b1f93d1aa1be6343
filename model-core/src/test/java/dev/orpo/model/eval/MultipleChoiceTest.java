package dev.orpo.model.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.score.CausalLm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultipleChoiceTest {
    private static final int VOCAB = 50;
    private static NDManager manager;

    /** Every token equally likely: a continuation of n tokens has log-likelihood −n·ln V. */
    private static final CausalLm UNIFORM = (ids, attention) ->
            manager.zeros(new Shape(ids.getShape().get(0), ids.getShape().get(1), VOCAB));

    /** One id per character (a..z → 3..28, space → 2, others → 1). */
    static final TextEncoder CHARS = text -> text.chars().map(c -> c == ' ' ? 2 : c >= 'a' && c <= 'z' ? c - 'a' + 3 : 1)
            .toArray();

    /** Like a byte-level BPE: a space merges with the following character into one token (id 30 + that char's id). */
    static final TextEncoder SPACE_MERGING = text -> {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' && i + 1 < text.length() && text.charAt(i + 1) != ' ') {
                ids.add(30 + CHARS.encode(text.substring(i + 1, i + 2))[0]);
                i++;
            } else {
                ids.add(CHARS.encode(text.substring(i, i + 1))[0]);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    };

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static TaskResult score(ChoiceTask task, FewShot fewShot) {
        return new MultipleChoice(new LoglikelihoodScorer(UNIFORM, manager, 64, 2)).score(task, CHARS, -1, fewShot,
                null);
    }

    @Test
    void accAndAccNormDisagreeWhenChoiceLengthsDiffer() {
        // uniform model: ll = −(len+1)·ln V, so acc picks the shortest choice, acc_norm (ll per char) the longest
        ChoiceTask task = ChoiceTask.ofFile("lengths", List.of(Question.of("pick", List.of("a", "bbbbbbbb", "ccc"), 1)));
        TaskResult r = score(task, FewShot.ZERO);
        DocResult doc = r.docs().get(0);
        assertEquals(-2 * Math.log(VOCAB), doc.loglikelihoods()[0], 1e-5);
        assertEquals(-9 * Math.log(VOCAB), doc.loglikelihoods()[1], 1e-5);
        assertEquals(0, doc.predicted());
        assertEquals(1, doc.predictedNorm());
        assertEquals(Map.of(Metric.ACC, 0.0, Metric.ACC_NORM, 1.0), r.metrics());
        assertEquals(1.0, r.headline(), "acc_norm is the headline when reported");
    }

    @Test
    void severalRightAnswersCountForAccAndMc2IsTheProbabilityMassOnThem() {
        // equal lengths under a uniform model: every choice equally likely, the first wins ties
        Question q = Question.of("q", List.of("aa", "bb", "cc", "dd"), List.of(2, 0));
        TaskResult acc = score(new ChoiceTask("agi", List.of(q), List.of(), false, null, EnumSet.of(Metric.ACC)),
                FewShot.ZERO);
        assertEquals(1.0, acc.get(Metric.ACC), "prediction 0 is one of the gold answers");
        TaskResult mc2 = score(new ChoiceTask("tqa", List.of(q), List.of(), false, 0, EnumSet.of(Metric.MC2)),
                FewShot.ZERO);
        assertEquals(0.5, mc2.get(Metric.MC2), 1e-9);
        assertEquals(List.of(Metric.MC2), List.copyOf(mc2.metrics().keySet()));
        // probabilities ∝ 3 : 1 : 1 : 1 even where exp(ll) underflows
        assertEquals(1.0 / 6, new DocResult(new double[] {-1000 + Math.log(3), -1000, -1000, -1000}, List.of(1), 0, 0)
                .trueMass(), 1e-12);
    }

    @Test
    void continuationIsTheJointTokenizationsTailAndTrailingSpacesMoveToIt() {
        LoglikelihoodRequest r = MultipleChoice.encode("Q: is it", " yes", SPACE_MERGING, -1);
        assertArrayEquals(SPACE_MERGING.encode("Q: is it"), r.context());
        // " yes" merges the space into the first token: [30+y, e, s], not [space, y, e, s]
        assertArrayEquals(new int[] {30 + 27, 7, 21}, r.continuation());
        LoglikelihoodRequest trailing = MultipleChoice.encode("Q: is it ", " yes", SPACE_MERGING, -1);
        assertArrayEquals(r.context(), trailing.context());
        assertArrayEquals(SPACE_MERGING.encode("  yes"), trailing.continuation());
    }

    @Test
    void emptyContextUsesThePrefixToken() {
        LoglikelihoodRequest r = MultipleChoice.encode("", " ab", CHARS, 1);
        assertArrayEquals(new int[] {1}, r.context());
        assertArrayEquals(CHARS.encode(" ab"), r.continuation());
        assertThrows(IllegalArgumentException.class, () -> MultipleChoice.encode("", " ab", CHARS, -1));
    }

    @Test
    void fewShotExamplesAreDrawnAsLmEvalsSamplerDrawsThem() {
        List<Question> pool = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pool.add(Question.of("p" + i, List.of("w" + i, "r" + i), 1));
        }
        List<Question> questions = List.of(Question.of("q0", List.of("x"), 0), Question.of("q1", List.of("x"), 0));
        ChoiceTask separate = new ChoiceTask("t", questions, pool, false, null, EnumSet.of(Metric.ACC));
        // python3: r = random.Random(1234); r.sample(range(10), 3) → [7, 1, 0]; again → [1, 0, 9]
        assertEquals(List.of("p7 r7\n\np1 r1\n\np0 r0\n\n", "p1 r1\n\np0 r0\n\np9 r9\n\n"),
                MultipleChoice.fewShotPrefixes(separate, new FewShot(3, 1234), 2));
        // the pool is the questions themselves: k + 1 drawn, the question dropped, the first k kept
        ChoiceTask same = new ChoiceTask("t", pool, pool, true, null, EnumSet.of(Metric.ACC));
        // r.sample(range(10), 4) → [7, 1, 0, 9] (question 0 dropped), then [9, 0, 1, 8] (question 1 dropped)
        assertEquals(List.of("p7 r7\n\np1 r1\n\np9 r9\n\n", "p9 r9\n\np0 r0\n\np8 r8\n\n"),
                MultipleChoice.fewShotPrefixes(same, new FewShot(3, 1234), 2));
        assertEquals(List.of("", ""), MultipleChoice.fewShotPrefixes(
                new ChoiceTask("t", questions, pool, false, 0, EnumSet.of(Metric.ACC)), new FewShot(3, 1234), 2),
                "a task fixed at zero-shot ignores the request");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultipleChoice.fewShotPrefixes(same, new FewShot(10, 1), 1));
        assertTrue(e.getMessage().contains("10-shot needs 11"), e.getMessage());
    }

    @Test
    void perplexityOfAUniformModelIsTheVocabularySizeAndEveryTokenIsPredictedOnce() {
        int[] tokens = CHARS.encode("the quick brown fox jumps");
        for (int window : new int[] {4, 64}) {
            Perplexity.Result r = Perplexity.of(new LoglikelihoodScorer(UNIFORM, manager, window, 3), tokens, 1);
            assertEquals(tokens.length, r.tokens());
            assertEquals(VOCAB, r.perplexity(), 1e-3);
        }
        assertEquals(tokens.length - 1, Perplexity.of(new LoglikelihoodScorer(UNIFORM, manager, 8, 3), tokens, -1)
                .tokens());
    }
}
