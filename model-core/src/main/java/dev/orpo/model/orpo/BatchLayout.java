package dev.orpo.model.orpo;

import java.util.Locale;

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
    TWO_ROWS,
    /**
     * One row per pair, {@code [prompt, chosen answer, rejected answer]} (prefix sharing, arXiv 2410.20305): the
     * rejected tokens attend to the prompt and to themselves, never to the chosen ones, and their rotary positions
     * continue from the end of the prompt, so every token sees exactly what it sees in its own sequence. Computes
     * P + A_chosen + A_rejected (+ 1) tokens per pair instead of 2 (P + A), rows padded to the longest pair.
     */
    PREFIX_SHARED,
    /**
     * Prefix-shared pairs packed into rows (first fit, longest first) of at most a row length, or the longest pair
     * when that is longer; each pair attends only to itself (block-diagonal) and counts its own positions. Rows are
     * padded to the longest row only.
     */
    PACKED;

    /** The lower-case name used in configs: {@code two_rows}, {@code prefix_shared}, {@code packed}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #configName()} (case-insensitive); unknown names fail listing the known ones. */
    public static BatchLayout parse(String name) {
        for (BatchLayout l : values()) {
            if (l.configName().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown batch layout '" + name + "' (two_rows | prefix_shared | packed)");
    }
}
