package dev.orpo.model.orpo;

import dev.orpo.contracts.request.TrainingArgs;

/**
 * How a micro-batch of B preference pairs is laid out in rows for one forward pass. Every layout gives the same loss,
 * metrics and gradients (within float rounding; see {@link OrpoLoss} for the one TRL metric that reads padding); they
 * differ in the tokens computed.
 */
public enum BatchLayout {
    /**
     * TRL's {@code concatenated_inputs}: B chosen rows, then B rejected rows, right-padded to the longest of the 2B
     * sequences. Computes 2B · max length tokens; each prompt twice.
     */
    TWO_ROWS(TrainingArgs.TWO_ROWS),
    /**
     * One row per pair, {@code [prompt, chosen answer, rejected answer]} (prefix sharing, arXiv 2410.20305): the
     * rejected tokens attend to the prompt and to themselves, never to the chosen ones, and their rotary positions
     * continue from the end of the prompt, so every token sees exactly what it sees in its own sequence. Computes
     * P + A_chosen + A_rejected (+ 1) tokens per pair instead of 2 (P + A), rows padded to the longest pair.
     */
    PREFIX_SHARED(TrainingArgs.PREFIX_SHARED),
    /**
     * Prefix-shared pairs packed into rows (first fit, longest first) no longer than the micro-batch's longest pair
     * (or a given row length, when longer); each pair attends only to itself (block-diagonal) and counts its own
     * positions. Rows are padded to the longest row only.
     */
    PACKED(TrainingArgs.PACKED);

    private final String configName;

    BatchLayout(String configName) {
        this.configName = configName;
    }

    /** The name in requests ({@code training.batch_layout}): {@code two_rows}, {@code prefix_shared}, {@code packed}. */
    public String configName() {
        return configName;
    }

    /** Parses a {@link #configName()}; unknown names fail listing the known ones. */
    public static BatchLayout parse(String name) {
        for (BatchLayout l : values()) {
            if (l.configName.equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("training.batch_layout: unknown layout '" + name
                + "' (two_rows | prefix_shared | packed)");
    }
}
