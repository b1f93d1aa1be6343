package dev.orpo.model.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.score.CausalLm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

    @Test
    void accAndAccNormDisagreeWhenChoiceLengthsDiffer() {
        // uniform model: ll = −(len+1)·ln V, so acc picks the shortest choice, acc_norm (ll per char) the longest
        McTask task = new McTask("lengths", List.of(new McDoc("pick", List.of("a", "bbbbbbbb", "ccc"), 1)));
        TaskResult r = new MultipleChoice(new LoglikelihoodScorer(UNIFORM, manager, 64, 2))
                .score(task, CHARS, -1, FewShot.ZERO);
        DocResult doc = r.docs().get(0);
        assertEquals(-2 * Math.log(VOCAB), doc.loglikelihoods()[0], 1e-5);
        assertEquals(-9 * Math.log(VOCAB), doc.loglikelihoods()[1], 1e-5);
        assertEquals(0, doc.predicted());
        assertEquals(1, doc.predictedNorm());
        assertEquals(0.0, r.acc());
        assertEquals(1.0, r.accNorm());
    }

    @Test
    void continuationIsTheJointTokenizationsTailAndTrailingSpacesMoveToIt() {
        IdMcDoc doc = MultipleChoice.encode("Q: is it", List.of("yes", "no"), 0, SPACE_MERGING, -1);
        assertArrayEquals(SPACE_MERGING.encode("Q: is it"), doc.context());
        // " yes" merges the space into the first token: [30+y, e, s], not [space, y, e, s]
        assertArrayEquals(new int[] {30 + 27, 7, 21}, doc.continuations().get(0));
        assertArrayEquals(new int[] {3, 2}, doc.choiceLengths());
        IdMcDoc trailing = MultipleChoice.encode("Q: is it ", List.of("yes"), 0, SPACE_MERGING, -1);
        assertArrayEquals(doc.context(), trailing.context());
        assertArrayEquals(SPACE_MERGING.encode("  yes"), trailing.continuations().get(0));
    }

    @Test
    void emptyContextUsesThePrefixToken() {
        IdMcDoc doc = MultipleChoice.encode("", List.of("ab"), 0, CHARS, 1);
        assertArrayEquals(new int[] {1}, doc.context());
        assertArrayEquals(CHARS.encode(" ab"), doc.continuations().get(0));
        assertThrows(IllegalArgumentException.class, () -> MultipleChoice.encode("", List.of("ab"), 0, CHARS, -1));
    }

    @Test
    void fewShotPrependsSeededOtherExamplesWithGoldAnswers() {
        List<McDoc> docs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            docs.add(new McDoc("q" + i, List.of("w" + i, "r" + i), 1));
        }
        McTask task = new McTask("t", docs);
        String ctx = MultipleChoice.fewShotContext(task, 2, new FewShot(3, 1234));
        assertEquals(ctx, MultipleChoice.fewShotContext(task, 2, new FewShot(3, 1234)));
        String[] examples = ctx.split("\n\n");
        assertEquals(3, examples.length);
        assertTrue(ctx.endsWith("\n\n"));
        List<String> seen = new ArrayList<>();
        for (String ex : examples) {
            assertTrue(ex.matches("q(\\d) r\\1"), ex);
            seen.add(ex);
        }
        assertFalse(seen.contains("q2 r2"));
        assertEquals(3, seen.stream().distinct().count());
        assertNotEquals(ctx, MultipleChoice.fewShotContext(task, 2, new FewShot(3, 99)));
        assertEquals("", MultipleChoice.fewShotContext(task, 2, FewShot.ZERO));
        assertThrows(IllegalArgumentException.class, () -> MultipleChoice.fewShotContext(task, 0, new FewShot(6, 1)));
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
