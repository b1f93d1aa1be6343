package dev.orpo.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.orpo.model.generate.GoldenModels;
import dev.orpo.model.llama.Attention;
import dev.orpo.model.llama.LlamaModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class LoglikelihoodScorerTest {
    private static NDManager manager;
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = GoldenModels.tuned("llama3-gqa-f32", manager);
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    /** Σ log_softmax(model(seq))[t−1, seq[t]] over the last {@code cont} positions of one unpadded sequence. */
    static double byHand(LlamaModel m, int[] seq, int cont) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray ids = sub.create(Arrays.stream(seq).asLongStream().toArray()).reshape(1, seq.length);
            NDArray mask = ids.onesLike();
            float[][] logits = new float[seq.length][];
            NDArray all = m.logits(ids, Attention.padded(mask)).get(0); // (T, V)
            for (int t = 0; t < seq.length; t++) {
                logits[t] = all.get(t).toFloatArray();
            }
            double sum = 0;
            for (int t = seq.length - cont; t < seq.length; t++) {
                float[] row = logits[t - 1];
                double max = Double.NEGATIVE_INFINITY;
                for (float v : row) {
                    max = Math.max(max, v);
                }
                double z = 0;
                for (float v : row) {
                    z += Math.exp(v - max);
                }
                sum += row[seq[t]] - max - Math.log(z);
            }
            return sum;
        }
    }

    @Test
    void batchedLoglikelihoodsEqualHandComputedLogSoftmaxSums() {
        List<LoglikelihoodRequest> requests = List.of(
                new LoglikelihoodRequest(new int[] {1, 5, 9, 13}, new int[] {20, 21}),
                new LoglikelihoodRequest(new int[] {1, 7}, new int[] {30}),
                new LoglikelihoodRequest(new int[] {1, 5, 9, 13, 40, 41, 42}, new int[] {3, 4, 5, 6}),
                new LoglikelihoodRequest(new int[] {2}, new int[] {63, 0, 11}));
        for (int batch : new int[] {1, 3}) {
            double[] ll = new LoglikelihoodScorer(model::logits, manager, 128, batch).loglikelihoods(requests);
            for (int i = 0; i < requests.size(); i++) {
                LoglikelihoodRequest r = requests.get(i);
                int[] whole = LoglikelihoodScorer.concat(r.context(), r.continuation());
                assertEquals(byHand(model, whole, r.continuation().length), ll[i], 1e-4, "request " + i);
            }
        }
    }

    @Test
    void longInputsAreLeftTruncatedToTheModelLengthAsLmEvalDoes() {
        int[] context = {1, 4, 8, 15, 16, 23, 42, 7, 9, 11};
        int[] continuation = {12, 13, 14};
        int maxLength = 6;
        double ll = new LoglikelihoodScorer(model::logits, manager, maxLength, 2)
                .loglikelihoods(List.of(new LoglikelihoodRequest(context, continuation)))[0];
        int[] whole = LoglikelihoodScorer.concat(context, continuation);
        // the model reads whole[-(maxLength+1):][:-1]: the last maxLength+1 tokens predict their own tails
        int[] window = Arrays.copyOfRange(whole, whole.length - (maxLength + 1), whole.length);
        assertEquals(byHand(model, window, continuation.length), ll, 1e-4);
        assertNotEquals(byHand(model, whole, continuation.length), ll, 1e-6);
    }

    @Test
    void perplexityWindowsPredictEveryTokenOnceFromTheTokenBefore() {
        int[] tokens = {5, 9, 13, 40, 41, 42, 3, 4, 5, 6, 60, 61, 17};
        int[] seq = LoglikelihoodScorer.concat(new int[] {1}, tokens); // BOS predicts the first token
        Perplexity.Result whole = Perplexity.of(new LoglikelihoodScorer(model::logits, manager, 128, 2), tokens, 1);
        assertEquals(tokens.length, whole.tokens());
        assertEquals(byHand(model, seq, tokens.length), whole.loglikelihood(), 1e-4);
        int window = 5;
        double expected = 0;
        for (int p = 1; p < seq.length; p += window) {
            int end = Math.min(seq.length, p + window);
            expected += byHand(model, Arrays.copyOfRange(seq, p - 1, end), end - p);
        }
        Perplexity.Result windowed = Perplexity.of(new LoglikelihoodScorer(model::logits, manager, window, 2), tokens,
                1);
        assertEquals(tokens.length, windowed.tokens());
        assertEquals(expected, windowed.loglikelihood(), 1e-4);
        // the log-likelihood is checked above (1e-4); perplexity must be exactly its definition
        double perplexity = Math.exp(-windowed.loglikelihood() / tokens.length);
        assertEquals(perplexity, windowed.perplexity(), perplexity * 1e-12);
    }
}
