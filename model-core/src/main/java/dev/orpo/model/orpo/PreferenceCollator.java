package dev.orpo.model.orpo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Builds TRL's concatenated ORPO batch from tokenized pairs: chosen rows, then rejected rows, right-padded to one
 * length (TRL's {@code concatenated_inputs}).
 *
 * @param padId      token id written into padded input positions (TRL's {@code padding_value}, the tokenizer's pad
 *                   id); padded positions are masked everywhere, so its value only has to be a valid id
 * @param promptLoss true (TRL's behaviour, chosen by the ORPO authors): the SFT term covers the whole chosen sequence,
 *                   prompt included; false: the completion tokens only
 */
public record PreferenceCollator(long padId, boolean promptLoss) {

    public PreferenceCollator {
        if (padId < 0) {
            throw new IllegalArgumentException("padId must be a valid token id >= 0, got " + padId);
        }
    }

    /** TRL's defaults: pad id 0 is only a placeholder, the prompt is part of the SFT loss. */
    public static PreferenceCollator withPad(long padId) {
        return new PreferenceCollator(padId, true);
    }

    /** Collates {@code pairs} into NDArrays owned by {@code manager}. */
    public PreferenceBatch collate(List<PreferencePair> pairs, NDManager manager) {
        if (pairs == null || pairs.isEmpty()) {
            throw new IllegalArgumentException("pairs is empty: a batch needs at least one preference pair");
        }
        int b = pairs.size();
        int t = 0;
        for (PreferencePair p : pairs) {
            t = Math.max(t, Math.max(p.chosenInputIds().length, p.rejectedInputIds().length));
        }
        long[] ids = new long[2 * b * t];
        long[] mask = new long[2 * b * t];
        long[] positions = new long[2 * b * t];
        long[] labels = new long[2 * b * t];
        long[] nll = new long[b * t];
        java.util.Arrays.fill(ids, padId);
        java.util.Arrays.fill(labels, PreferenceBatch.IGNORE_INDEX);
        java.util.Arrays.fill(nll, PreferenceBatch.IGNORE_INDEX);
        for (int row = 0; row < 2 * b; row++) {
            for (int j = 0; j < t; j++) {
                positions[row * t + j] = j;
            }
        }
        for (int i = 0; i < b; i++) {
            PreferencePair p = pairs.get(i);
            requireScoredToken(i, "chosen", p.chosenInputIds(), p.chosenPromptLength());
            requireScoredToken(i, "rejected", p.rejectedInputIds(), p.rejectedPromptLength());
            fillRow(p.chosenInputIds(), p.chosenPromptLength(), i * t, ids, mask, labels);
            fillRow(p.rejectedInputIds(), p.rejectedPromptLength(), (b + i) * t, ids, mask, labels);
            // SFT labels: chosen sequence where attended (TRL), or its completion only
            int[] chosen = p.chosenInputIds();
            int from = promptLoss ? 0 : p.chosenPromptLength();
            for (int j = from; j < chosen.length; j++) {
                nll[i * t + j] = chosen[j];
            }
        }
        Shape rows = new Shape(2L * b, t);
        return new PreferenceBatch(manager.create(ids, rows), manager.create(mask, rows),
                manager.create(positions, rows), manager.create(labels, rows), manager.create(nll, new Shape(b, t)),
                b);
    }

    /** Position 0 has no predecessor, so an answer starting there needs a second token to be scored at all. */
    private static void requireScoredToken(int index, String side, int[] seq, int promptLength) {
        if (seq.length - Math.max(promptLength, 1) < 1) {
            throw new IllegalArgumentException("pair " + index + " " + side + ": no answer token after position 0 (prompt "
                    + promptLength + " of " + seq.length + " tokens); its mean log-prob would divide by zero");
        }
    }

    private static void fillRow(int[] seq, int promptLength, int offset, long[] ids, long[] mask, long[] labels) {
        for (int j = 0; j < seq.length; j++) {
            ids[offset + j] = seq[j];
            mask[offset + j] = 1;
            labels[offset + j] = j < promptLength ? PreferenceBatch.IGNORE_INDEX : seq[j];
        }
    }
}
