package dev.orpo.cli;

import dev.orpo.bench.MergeBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code orpo bench merge}: the streaming merge of a generated 311 MB BF16 model, next to a plain copy. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge an r16 adapter into a generated Llama-shaped BF16 model (≈ 311 MB in 100 MB shards) in a "
                + "child JVM with a capped heap, next to a plain copy of the shards: MB/s, CPU time, peak heap.")
final class BenchMergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--work", description = "work directory, deleted before and after (default: java.io.tmpdir/"
            + "orpo-bench-merge)")
    Path work;
    @Option(names = "--heap", defaultValue = "512m", description = "-Xmx of the child (default ${DEFAULT-VALUE})")
    String heap;

    @Override
    public Integer call() throws Exception {
        Path dir = work != null ? work : Path.of(System.getProperty("java.io.tmpdir"), "orpo-bench-merge");
        MergeBench.run(dir, heap, spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
