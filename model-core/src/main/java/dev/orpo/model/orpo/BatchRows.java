package dev.orpo.model.orpo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.llama.Attention;

import java.util.Arrays;

/**
 * The host arrays of a {@link PreferenceBatch} under construction: R rows of T tokens. Sequences are written in
 * parts ({@link #write}); every part records, for each of its positions that predicts a token of its own sequence,
 * which of the loss's terms that prediction feeds.
 */
final class BatchRows {
    private final int rows;
    private final int t;
    private final int pairs;
    private final boolean promptLoss;
    private final long[] ids;
    private final long[] positions;
    private final long[] pairIds;
    private final long[] branches;
    private final long[] answerOf;
    private final long[] sftOf;
    private final long[] chosenLogitsOf;
    private final long[] rejectedLogitsOf;

    BatchRows(int rows, int t, int pairs, long padId, boolean promptLoss) {
        this.rows = rows;
        this.t = t;
        this.pairs = pairs;
        this.promptLoss = promptLoss;
        ids = filled(rows * t, padId);
        positions = new long[rows * t];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i % t; // padding too: HF numbers a padded row 0 … T-1 (arange), and padding is never a key
        }
        pairIds = filled(rows * t, -1);
        branches = new long[rows * t];
        answerOf = filled(rows * (t - 1), -1);
        sftOf = filled(rows * (t - 1), -1);
        chosenLogitsOf = filled(rows * (t - 1), -1);
        rejectedLogitsOf = filled(rows * (t - 1), -1);
    }

    /**
     * Writes tokens {@code from … to−1} of one side of {@code pair} at {@code row}, starting at column {@code col},
     * with rotary positions equal to the token indices. A token that is followed by a token of the same sequence
     * predicts it: the answer's log-prob (preference labels), the chosen side's SFT label, the logits metrics.
     *
     * @param branch {@link Attention#SHARED} for a prompt both sides read (then written from the chosen side and
     *               counted as a predicting position of both), else the side's own branch
     */
    void write(int row, int col, PreferencePair pair, int pairIndex, boolean chosen, int from, int to, long branch) {
        int[] seq = chosen ? pair.chosenInputIds() : pair.rejectedInputIds();
        int promptLength = chosen ? pair.chosenPromptLength() : pair.rejectedPromptLength();
        int sftFrom = promptLoss ? 1 : promptLength;
        for (int i = from; i < to; i++) {
            int at = row * t + col + (i - from);
            ids[at] = seq[i];
            positions[at] = i;
            pairIds[at] = pairIndex;
            branches[at] = branch;
            if (i + 1 >= seq.length) {
                continue; // the sequence's last token predicts nothing
            }
            int p = row * (t - 1) + col + (i - from); // this position predicts seq[i + 1]
            if (i + 1 >= promptLength) {
                answerOf[p] = chosen ? pairIndex : pairs + pairIndex;
            }
            if (chosen && i + 1 >= sftFrom) {
                sftOf[p] = pairIndex;
            }
            (chosen ? chosenLogitsOf : rejectedLogitsOf)[p] = pairIndex;
            if (branch == Attention.SHARED) {
                rejectedLogitsOf[p] = pairIndex; // the rejected sequence reads the same prompt token here
            }
        }
    }

    PreferenceBatch toBatch(NDManager m, BatchLayout layout) {
        Shape tokens = new Shape(rows, t);
        Shape predicting = new Shape(rows, t - 1);
        return new PreferenceBatch(m.create(ids, tokens), m.create(positions, tokens), m.create(pairIds, tokens),
                m.create(branches, tokens), m.create(answerOf, predicting), m.create(sftOf, predicting),
                m.create(chosenLogitsOf, predicting), m.create(rejectedLogitsOf, predicting), pairs, layout);
    }

    private static long[] filled(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }
}
