package dev.orpo.cli;

import dev.orpo.bench.StepBench;
import dev.orpo.bench.StepSpec;
import dev.orpo.model.llama.HfConfigReader;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.tensor.EngineThreads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code orpo bench}: the project's benchmarks, one subcommand each; their figures and the commands that produced them
 * are in docs/benchmarks.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training-step speed and memory (step), the tokens each batch layout computes (layout), "
                + "the trainer's memory over a run (train), the streaming merge (merge) and dataset preparation "
                + "(prepare). Figures: docs/benchmarks.md.",
        subcommands = {BenchCommand.Step.class, BenchLayoutCommand.class, BenchTrainCommand.class,
            BenchMergeCommand.class, BenchPrepareCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code orpo bench step}. */
    @Command(name = "step", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"The ORPO LoRA training step at one model shape (random weights), in every combination of "
                    + "--base × --checkpointing × --head × --layout × --threads, each in its own JVM: fp32 matmul peak, "
                    + "tokens/s, model FLOPs/token, MFU, user/system CPU time, peak RSS, ratios to the first mode.",
                "Defaults: the Llama-shaped point of docs/benchmarks.md (hidden 1024, 4 layers, 16/4 heads, MLP 2816, "
                    + "vocab 32000; 2 pairs of 128 + 64 tokens)."})
    static final class Step implements Callable<Integer>, EngineCommand {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", description = "an HF config.json (or model directory) giving the shape; "
                + "overrides the shape flags")
        Path config;
        @Option(names = "--hidden", defaultValue = "1024", description = "hidden size (default ${DEFAULT-VALUE})")
        int hidden;
        @Option(names = "--layers", defaultValue = "4", description = "decoder layers (default ${DEFAULT-VALUE})")
        int layers;
        @Option(names = "--heads", defaultValue = "16", description = "attention heads (default ${DEFAULT-VALUE})")
        int heads;
        @Option(names = "--kv-heads", defaultValue = "4", description = "key/value heads (default ${DEFAULT-VALUE})")
        int kvHeads;
        @Option(names = "--ffn", defaultValue = "2816", description = "MLP width (default ${DEFAULT-VALUE})")
        int ffn;
        @Option(names = "--vocab", defaultValue = "32000", description = "vocabulary (default ${DEFAULT-VALUE})")
        int vocab;
        @Option(names = "--pairs", defaultValue = "2", description = "preference pairs per step (default "
                + "${DEFAULT-VALUE})")
        int pairs;
        @Option(names = "--prompt", defaultValue = "128", description = "prompt tokens per row (default "
                + "${DEFAULT-VALUE})")
        int prompt;
        @Option(names = "--answer", defaultValue = "64", description = "answer tokens per row (default "
                + "${DEFAULT-VALUE})")
        int answer;
        @Option(names = "--rank", defaultValue = "16", description = "LoRA rank, alpha = 2·rank (default "
                + "${DEFAULT-VALUE})")
        int rank;
        @Option(names = "--lora-dropout", defaultValue = "0.05", description = "LoRA dropout (default "
                + "${DEFAULT-VALUE})")
        double loraDropout;
        @Option(names = "--base", split = ",", defaultValue = "fp32,nf4",
                description = "frozen base storages: fp32, nf4 (double-quantized scales), nf4-fp32-scales "
                        + "(default ${DEFAULT-VALUE})")
        List<String> bases;
        @Option(names = "--checkpointing", split = ",", defaultValue = "off,on",
                description = "gradient checkpointing: off, on (default ${DEFAULT-VALUE})")
        List<String> checkpointing;
        @Option(names = "--head", split = ",", defaultValue = "full,auto",
                description = "LM head: full, auto (the default rule) or a chunk size (default ${DEFAULT-VALUE})")
        List<String> headModes;
        @Option(names = "--layout", split = ",", defaultValue = "prefix_shared",
                description = "batch layouts (training.batch_layout): two_rows (TRL's), prefix_shared, packed "
                        + "(default ${DEFAULT-VALUE}, the trainer's)")
        List<String> layouts;
        @Option(names = "--threads", split = ",", description = "PyTorch thread counts (default: the count this "
                + "process uses, from the CPU quota)")
        List<Integer> threads;
        @Option(names = "--warmup", defaultValue = "1", description = "untimed steps per mode (default "
                + "${DEFAULT-VALUE})")
        int warmup;
        @Option(names = "--steps", defaultValue = "5", description = "timed steps per mode (default ${DEFAULT-VALUE})")
        int steps;
        @Option(names = "--matmul-size", defaultValue = "1024", description = "n of the fp32 n³ matmul peak "
                + "(default ${DEFAULT-VALUE})")
        int matmulSize;
        @Option(names = "--heap", defaultValue = "1g", description = "-Xmx of each mode's JVM (default "
                + "${DEFAULT-VALUE})")
        String heap;

        /** The steps run in child JVMs. */
        @Override
        public boolean computesInProcess() {
            return false;
        }

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            StepBench.Plan plan;
            try {
                LlamaConfig model = config != null ? HfConfigReader.read(config)
                        : SyntheticLlama.config(vocab, hidden, layers, heads, kvHeads, ffn);
                List<Boolean> ckpt = checkpointing.stream().map(Step::onOff).toList();
                List<Integer> counts = threads != null ? threads
                        : List.of(Integer.parseInt(System.getProperty(EngineThreads.INTRA_OP, "1")));
                StepSpec template = new StepSpec("", bases.get(0), ckpt.get(0), headModes.get(0), layouts.get(0),
                        counts.get(0), pairs, prompt, answer, rank, loraDropout, warmup, steps, matmulSize);
                plan = new StepBench.Plan(model, bases, ckpt, headModes, layouts, counts, heap, template);
                plan.modes(Path.of("")); // validates every combination before the first child starts
            } catch (IllegalArgumentException e) {
                err.println("orpo bench step: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            StepBench.run(plan, out);
            return ExitCodes.OK;
        }

        private static boolean onOff(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "on", "true" -> true;
                case "off", "false" -> false;
                default -> throw new IllegalArgumentException("--checkpointing: '" + value + "' is not on or off");
            };
        }
    }
}
