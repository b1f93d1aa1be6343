package dev.orpo.cli;

import dev.orpo.bench.LayoutBench;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.stages.train.PreparedDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code orpo bench layout}: the tokens every batch layout computes, padding included, on one set of pairs. */
@Command(name = "layout", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Count the tokens each batch_layout (two_rows, prefix_shared, packed) makes the model compute, "
                + "padding included, micro-batch by micro-batch as the trainer forms them (shuffled, and with "
                + "group_by_length), on a prepared dataset's train pairs or on generated pairs with log-normal "
                + "lengths. No model runs: the figures do not depend on the machine.",
            "Defaults: orpo-dpo-mix-shaped lengths (docs/benchmarks.md), the seed's batch 2 × 4 and max_length "
                + "1024 / max_prompt_length 512."})
final class BenchLayoutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--prepared", description = "a prepared dataset directory (orpo prepare's output): measure its "
            + "train pairs instead of generated ones")
    Path prepared;
    @Option(names = "--pairs", defaultValue = "40000", description = "generated pairs (default ${DEFAULT-VALUE})")
    int pairs;
    @Option(names = "--prompt-median", defaultValue = "100", description = "generated prompt tokens, median "
            + "(default ${DEFAULT-VALUE})")
    int promptMedian;
    @Option(names = "--prompt-sigma", defaultValue = "1.0", description = "σ of log(prompt tokens) (default "
            + "${DEFAULT-VALUE})")
    double promptSigma;
    @Option(names = "--answer-median", defaultValue = "250", description = "generated answer tokens, median, "
            + "chosen and rejected drawn independently (default ${DEFAULT-VALUE})")
    int answerMedian;
    @Option(names = "--answer-sigma", defaultValue = "0.8", description = "σ of log(answer tokens) (default "
            + "${DEFAULT-VALUE})")
    double answerSigma;
    @Option(names = "--max-length", defaultValue = "1024", description = "TRL's max_length: generated pairs are "
            + "cut to it (default ${DEFAULT-VALUE})")
    int maxLength;
    @Option(names = "--max-prompt-length", defaultValue = "512", description = "TRL's max_prompt_length (default "
            + "${DEFAULT-VALUE})")
    int maxPromptLength;
    @Option(names = "--batch", defaultValue = "2", description = "pairs per micro-batch, per_device_train_batch_size "
            + "(default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--accumulation", defaultValue = "4", description = "gradient_accumulation_steps, which sizes "
            + "group_by_length's mega-batches (default ${DEFAULT-VALUE})")
    int accumulation;
    @Option(names = "--seed", defaultValue = "42", description = "data order and generated lengths (default "
            + "${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        List<PreferencePair> data;
        try {
            if (batch < 1 || accumulation < 1 || pairs < 1) {
                throw new IllegalArgumentException("--batch, --accumulation and --pairs must be >= 1");
            }
            if (prepared != null) {
                data = PreparedDataset.read(prepared).train();
                out.printf(Locale.ROOT, "orpo bench layout: %,d train pairs of %s%n", data.size(), prepared);
            } else {
                var lengths = new LayoutBench.Lengths(promptMedian, promptSigma, answerMedian, answerSigma,
                        maxLength, maxPromptLength);
                data = LayoutBench.synthetic(pairs, lengths, seed);
                out.printf(Locale.ROOT, "orpo bench layout: %,d generated pairs, prompt tokens log-normal (median %d, "
                                + "σ %.2f), answers log-normal (median %d, σ %.2f), cut to max_length %d / "
                                + "max_prompt_length %d as TRL cuts%n", pairs, promptMedian, promptSigma,
                        answerMedian, answerSigma, maxLength, maxPromptLength);
            }
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("orpo bench layout: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        out.printf(Locale.ROOT, "micro-batches of %d pair(s), %d per update (group_by_length's mega-batches are a "
                + "multiple of that); seed %d; epoch 0 of the trainer's order%n%n", batch, accumulation, seed);
        LayoutBench.print(LayoutBench.measure(data, batch, accumulation, seed), out);
        out.println();
        out.println("sequence tokens = chosen + rejected tokens (two unpadded rows per pair); layout tokens = what the "
                + "layout computes for the pairs, padding aside (prefix_shared/packed: the prompt once); computed = "
                + "rows × padded length summed over micro-batches; padding share = 1 − layout ÷ computed. Packed rows "
                + "are as long as the micro-batch's longest pair.");
        out.flush();
        return ExitCodes.OK;
    }
}
