package dev.orpo.model.orpo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.llama.Attention;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds one ORPO micro-batch from tokenized pairs in a {@link BatchLayout}: TRL's concatenated layout (chosen rows,
 * then rejected rows, right-padded to one length), one prefix-shared row per pair, or prefix-shared pairs packed
 * into rows. The layout changes which tokens are computed, never a pair's loss terms.
 *
 * @param padId      token id written into padded input positions (TRL's {@code padding_value}, the tokenizer's pad
 *                   id); padded positions are masked everywhere, so its value only has to be a valid id
 * @param promptLoss true (TRL's behaviour, chosen by the ORPO authors): the SFT term covers the whole chosen sequence,
 *                   prompt included; false: the completion tokens only
 * @param layout     how pairs become rows
 * @param rowLength  {@link BatchLayout#PACKED} only: pairs are packed into rows of at most this many tokens, or of
 *                   the longest pair's length when that is longer (0: rows never exceed the longest pair); must be 0
 *                   for the other layouts
 */
public record PreferenceCollator(long padId, boolean promptLoss, BatchLayout layout, int rowLength) {

    public PreferenceCollator {
        if (padId < 0) {
            throw new IllegalArgumentException("padId must be a valid token id >= 0, got " + padId);
        }
        if (layout == null) {
            throw new IllegalArgumentException("layout is required");
        }
        if (rowLength < 0 || (rowLength > 0 && layout != BatchLayout.PACKED)) {
            throw new IllegalArgumentException("rowLength must be >= 0, and 0 unless the layout is packed; got "
                    + rowLength + " for " + layout.configName());
        }
    }

    /** TRL's layout ({@link BatchLayout#TWO_ROWS}). */
    public PreferenceCollator(long padId, boolean promptLoss) {
        this(padId, promptLoss, BatchLayout.TWO_ROWS, 0);
    }

    /** TRL's defaults: pad id 0 is only a placeholder, the prompt is part of the SFT loss, two rows per pair. */
    public static PreferenceCollator withPad(long padId) {
        return new PreferenceCollator(padId, true);
    }

    /** This collator with another layout (and row length, for {@link BatchLayout#PACKED}). */
    public PreferenceCollator withLayout(BatchLayout newLayout, int newRowLength) {
        return new PreferenceCollator(padId, promptLoss, newLayout, newLayout == BatchLayout.PACKED ? newRowLength : 0);
    }

    /** Collates {@code pairs} (in batch order: pair i is sequence i and B + i) into NDArrays owned by {@code manager}. */
    public PreferenceBatch collate(List<PreferencePair> pairs, NDManager manager) {
        Plan plan = plan(pairs);
        BatchRows rows = new BatchRows(plan.rows, plan.length, pairs.size(), padId, promptLoss);
        for (int[] at : plan.placed) {
            PreferencePair p = pairs.get(at[0]);
            if (layout == BatchLayout.TWO_ROWS) {
                rows.write(at[0], 0, p, at[0], true, 0, p.chosenInputIds().length, Attention.CHOSEN);
                rows.write(pairs.size() + at[0], 0, p, at[0], false, 0, p.rejectedInputIds().length,
                        Attention.REJECTED);
            } else {
                writeBlock(rows, at[1], at[2], p, at[0]);
            }
        }
        return rows.toBatch(manager, layout);
    }

    /** (R, T): the rows and padded row length {@link #collate} gives these pairs, without building them. */
    public Shape shape(List<PreferencePair> pairs) {
        Plan plan = plan(pairs);
        return new Shape(plan.rows, plan.length);
    }

    /** The tokens this layout computes for one pair, padding aside: both sequences, or the prefix-shared block. */
    public int tokens(PreferencePair p) {
        return layout == BatchLayout.TWO_ROWS ? p.chosenInputIds().length + p.rejectedInputIds().length
                : blockLength(p);
    }

    /** Rows, padded length, and per pair {pair, row, column} (two rows: row i and B + i, column 0). */
    private record Plan(int rows, int length, List<int[]> placed) {
    }

    private Plan plan(List<PreferencePair> pairs) {
        if (pairs == null || pairs.isEmpty()) {
            throw new IllegalArgumentException("pairs is empty: a batch needs at least one preference pair");
        }
        for (int i = 0; i < pairs.size(); i++) {
            PreferencePair p = pairs.get(i);
            requireScoredToken(i, "chosen", p.chosenInputIds(), p.chosenPromptLength());
            requireScoredToken(i, "rejected", p.rejectedInputIds(), p.rejectedPromptLength());
        }
        return switch (layout) {
            case TWO_ROWS -> twoRows(pairs);
            case PREFIX_SHARED -> packed(pairs, 1);
            case PACKED -> packed(pairs, Integer.MAX_VALUE);
        };
    }

    /** Row i: chosen sequence of pair i; row B + i: its rejected sequence; right-padded to the longest. */
    private static Plan twoRows(List<PreferencePair> pairs) {
        int t = 0;
        List<int[]> placed = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            PreferencePair p = pairs.get(i);
            t = Math.max(t, Math.max(p.chosenInputIds().length, p.rejectedInputIds().length));
            placed.add(new int[] {i, i, 0});
        }
        return new Plan(2 * pairs.size(), t, placed);
    }

    /**
     * Each pair as one block {@code [prefix, chosen rest, rejected rest]}; blocks placed first fit, longest first,
     * into rows of at most max(rowLength, longest block) tokens and at most {@code perRow} blocks.
     */
    private Plan packed(List<PreferencePair> pairs, int perRow) {
        int b = pairs.size();
        int[] length = new int[b];
        int longest = 0;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            length[i] = blockLength(pairs.get(i));
            longest = Math.max(longest, length[i]);
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> -length[i]).thenComparingInt(i -> i)); // stable: ties by index
        int capacity = Math.max(rowLength, longest);
        List<int[]> placed = new ArrayList<>(); // {pair, row, column}
        List<int[]> rowFill = new ArrayList<>(); // {used tokens, blocks}
        for (int i : order) {
            int row = 0;
            while (row < rowFill.size()
                    && (rowFill.get(row)[0] + length[i] > capacity || rowFill.get(row)[1] >= perRow)) {
                row++;
            }
            if (row == rowFill.size()) {
                rowFill.add(new int[] {0, 0});
            }
            placed.add(new int[] {i, row, rowFill.get(row)[0]});
            rowFill.get(row)[0] += length[i];
            rowFill.get(row)[1]++;
        }
        int t = 0;
        for (int[] fill : rowFill) {
            t = Math.max(t, fill[0]);
        }
        return new Plan(rowFill.size(), t, placed);
    }

    /**
     * Writes pair {@code index} as {@code [prefix, chosen rest, rejected rest]} from {@code col}: the prefix is read by
     * both sides; the rejected rest continues the prefix's positions and, through {@link Attention#segments}, sees
     * the prefix and itself only.
     */
    private static void writeBlock(BatchRows rows, int row, int col, PreferencePair p, int index) {
        int shared = sharedPrefix(p);
        int chosenLength = p.chosenInputIds().length;
        rows.write(row, col, p, index, true, 0, shared, Attention.SHARED);
        rows.write(row, col + shared, p, index, true, shared, chosenLength, Attention.CHOSEN);
        rows.write(row, col + chosenLength, p, index, false, shared, p.rejectedInputIds().length, Attention.REJECTED);
    }

    /** Tokens of a pair's block: the shared prefix once, both sides' rest. */
    static int blockLength(PreferencePair p) {
        return p.chosenInputIds().length + p.rejectedInputIds().length - sharedPrefix(p);
    }

    /**
     * How many leading tokens a pair's block shares: prompt tokens equal on both sides, one fewer than that so that
     * each side's rest starts with a prompt token. The rest's first token is then no label of either side (the
     * position before it is the other side's), and every label is predicted inside its own sequence. Costs one token
     * per pair over sharing the whole prompt, and keeps one prediction per position. 0 when the prompts differ at
     * once (or are one token long): the two sequences then sit side by side, each attending to itself.
     */
    static int sharedPrefix(PreferencePair p) {
        int[] c = p.chosenInputIds();
        int[] r = p.rejectedInputIds();
        int limit = Math.min(p.chosenPromptLength(), p.rejectedPromptLength());
        int common = 0;
        while (common < limit && c[common] == r[common]) {
            common++;
        }
        return Math.max(0, common - 1);
    }

    /** Position 0 has no predecessor, so an answer starting there needs a second token to be scored at all. */
    private static void requireScoredToken(int index, String side, int[] seq, int promptLength) {
        if (seq.length - Math.max(promptLength, 1) < 1) {
            throw new IllegalArgumentException("pair " + index + " " + side + ": no answer token after position 0 (prompt "
                    + promptLength + " of " + seq.length + " tokens); its mean log-prob would divide by zero");
        }
    }
}
