package dev.orpo.cli;

import dev.orpo.bench.TrainBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code orpo bench train}: a whole trainer run, resident memory at every log (a leak shows as growth). */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a rank-16 LoRA with the ORPO trainer on a synthetic Llama (vocab 64) and the digit-sorting "
                + "task in a child JVM: ms/step, tokens/s, RSS after loading and at every log, Java heap.")
final class BenchTrainCommand implements Callable<Integer>, EngineCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "200", description = "optimizer updates (default ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--hidden", defaultValue = "128", description = "hidden size, a multiple of 64 (default "
            + "${DEFAULT-VALUE})")
    int hidden;
    @Option(names = "--layers", defaultValue = "2", description = "decoder layers (default ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--digits", defaultValue = "30", description = "digits per question: rows of 2·digits + 3 tokens "
            + "(default ${DEFAULT-VALUE})")
    int digits;
    @Option(names = "--heap", defaultValue = "128m", description = "-Xmx of the child (default ${DEFAULT-VALUE})")
    String heap;
    @Option(names = "--pretouch", description = "-Xms = -Xmx and -XX:+AlwaysPreTouch: the heap is resident from the "
            + "start, so RSS growth is native memory")
    boolean pretouch;
    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads (default: this process's)")
    int threads;

    /** The steps run in child JVMs. */
    @Override
    public boolean computesInProcess() {
        return false;
    }

    @Override
    public Integer call() {
        TrainBench.Spec s;
        try {
            s = new TrainBench.Spec(steps, hidden, layers, digits);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        if (pretouch) {
            jvm.addAll(List.of("-Xms" + heap, "-XX:+AlwaysPreTouch"));
        }
        TrainBench.run(s, jvm, threads, spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
