package dev.orpo.bench;

import dev.orpo.model.orpo.BatchLayout;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.train.BatchCost;
import dev.orpo.model.train.TrainerConfig;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code orpo bench layout}: the tokens each batch layout makes the model compute on one set of pairs, padding
 * included, micro-batch by micro-batch as the trainer forms them (its seeded shuffle, or {@code group_by_length}'s
 * order), without running the model ({@link BatchCost}: the trainer's own order and collator). No timing, so the
 * figures do not depend on the machine's load.
 */
public final class LayoutBench {

    /**
     * Log-normal token lengths (median, σ of the log) for the synthetic pairs, cut as TRL's tokenization cuts them.
     *
     * @param promptMedian   prompt tokens, median
     * @param promptSigma    σ of log(prompt length)
     * @param answerMedian   answer tokens (chosen and rejected drawn independently), median
     * @param answerSigma    σ of log(answer length)
     * @param maxLength       TRL's {@code max_length}
     * @param maxPromptLength TRL's {@code max_prompt_length}
     */
    public record Lengths(int promptMedian, double promptSigma, int answerMedian, double answerSigma, int maxLength,
                          int maxPromptLength) {
        public Lengths {
            if (promptMedian < 1 || answerMedian < 1 || !(promptSigma >= 0) || !(answerSigma >= 0)) {
                throw new IllegalArgumentException("length medians must be >= 1 and sigmas >= 0");
            }
            if (maxPromptLength < 1 || maxLength <= maxPromptLength) {
                throw new IllegalArgumentException("--max-length must exceed --max-prompt-length >= 1, got "
                        + maxLength + " and " + maxPromptLength);
            }
        }
    }

    /** One layout and order over all pairs, and what it computes. */
    public record Row(BatchLayout layout, boolean grouped, BatchCost cost) {
    }

    private LayoutBench() {
    }

    /**
     * Every layout, in the trainer's shuffled order and with {@code group_by_length}: what epoch 0 of a trainer with
     * these settings computes ({@link BatchCost#ofEpoch}).
     *
     * @param batch        pairs per micro-batch ({@code per_device_train_batch_size})
     * @param accumulation micro-batches per update ({@code gradient_accumulation_steps}; group_by_length sorts
     *                     mega-batches of a multiple of batch × accumulation pairs, as transformers)
     */
    public static List<Row> measure(List<PreferencePair> pairs, int batch, int accumulation, long seed) {
        List<Row> rows = new ArrayList<>();
        for (BatchLayout layout : BatchLayout.values()) {
            for (boolean grouped : new boolean[] {false, true}) {
                TrainerConfig config = TrainerConfig.defaults()
                        .with("per_device_train_batch_size", Integer.toString(batch))
                        .with("gradient_accumulation_steps", Integer.toString(accumulation))
                        .with("seed", Long.toString(seed))
                        .with("batch_layout", layout.configName())
                        .with("group_by_length", Boolean.toString(grouped));
                rows.add(new Row(layout, grouped, BatchCost.ofEpoch(config, pairs, 0)));
            }
        }
        return rows;
    }

    /**
     * {@code n} pairs with log-normal lengths, cut as TRL's {@code tokenize_row} cuts: when prompt + longer answer
     * exceed max_length the prompt keeps its last max_prompt_length tokens, then answers keep max_length −
     * max_prompt_length. Token ids are arbitrary (3 …); chosen and rejected share the prompt.
     */
    public static List<PreferencePair> synthetic(int n, Lengths l, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PreferencePair> pairs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int prompt = logNormal(rng, l.promptMedian(), l.promptSigma());
            int chosen = logNormal(rng, l.answerMedian(), l.answerSigma());
            int rejected = logNormal(rng, l.answerMedian(), l.answerSigma());
            if (prompt + Math.max(chosen, rejected) > l.maxLength()) {
                prompt = Math.min(prompt, l.maxPromptLength());
            }
            if (prompt + Math.max(chosen, rejected) > l.maxLength()) {
                chosen = Math.min(chosen, l.maxLength() - l.maxPromptLength());
                rejected = Math.min(rejected, l.maxLength() - l.maxPromptLength());
            }
            pairs.add(PreferencePair.ofIds(ids(prompt), ids(chosen), ids(rejected)));
        }
        return pairs;
    }

    private static int logNormal(SplittableRandom rng, int median, double sigma) {
        double gaussian = Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
        return Math.max(2, (int) Math.round(median * Math.exp(sigma * gaussian)));
    }

    private static int[] ids(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 3 + i % 1000;
        }
        return ids;
    }

    /** Prints the table: each layout and order, its padding share and its computed tokens against two rows. */
    public static void print(List<Row> rows, PrintWriter out) {
        BatchCost baseline = rows.get(0).cost();
        out.println("| layout | order | sequence tokens | layout tokens | computed tokens | padding share "
                + "| computed ÷ sequence tokens | computed vs two_rows shuffled |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            BatchCost c = r.cost();
            out.printf(Locale.ROOT, "| %s | %s | %,d | %,d | %,d | %.1f %% | %.3f | %.3f× |%n", r.layout().configName(),
                    r.grouped() ? "group_by_length" : "shuffled", c.sequenceTokens(), c.layoutTokens(),
                    c.computedTokens(), 100 * c.paddingShare(), c.computedPerSequenceToken(),
                    (double) c.computedTokens() / baseline.computedTokens());
        }
        out.flush();
    }
}
