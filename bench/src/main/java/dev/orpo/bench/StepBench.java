package dev.orpo.bench;

import dev.orpo.model.io.FileTrees;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.tensor.CpuQuota;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code orpo bench step}: the ORPO LoRA training step at one model shape, in every selected mode (base storage ×
 * gradient checkpointing × LM head × threads), each mode in its own JVM ({@link StepChild}) that also measures the
 * fp32 matmul peak of the machine right before its steps. Prints a Markdown table: tokens/s, model FLOPs/token
 * ({@link ModelFlops}), MFU against the matmul peak, user and system CPU time, peak RSS, and each mode's tokens/s as a
 * ratio to the first mode's, so every ratio comes from one run. The load average is printed at the start and after
 * every mode, and flagged when it exceeded the CPUs this process may use.
 */
public final class StepBench {

    /**
     * What to measure.
     *
     * @param model         the architecture (random weights are generated for it, seed 1, untied head)
     * @param bases         frozen-projection storages, see {@link StepSpec#base()}
     * @param checkpointing gradient checkpointing off and/or on
     * @param heads         LM head settings: auto, full, or chunk sizes
     * @param layouts       batch layouts: two_rows, prefix_shared, packed
     * @param threads       PyTorch thread counts
     * @param heap          each child's {@code -Xmx}
     * @param template      the remaining settings (batch, LoRA, steps, matmul size); its mode fields are ignored
     */
    public record Plan(LlamaConfig model, List<String> bases, List<Boolean> checkpointing, List<String> heads,
                       List<String> layouts, List<Integer> threads, String heap, StepSpec template) {

        /** Every combination, bases outermost, then checkpointing, head, layout, threads innermost. */
        public List<StepSpec> modes(Path modelDir) {
            List<StepSpec> modes = new ArrayList<>();
            StepSpec t = template;
            for (String base : bases) {
                for (boolean ckpt : checkpointing) {
                    for (String head : heads) {
                        for (String layout : layouts) {
                            for (int n : threads) {
                                modes.add(new StepSpec(modelDir.toString(), base, ckpt, head, layout, n, t.pairs(),
                                        t.prompt(), t.answer(), t.rank(), t.loraDropout(), t.warmup(), t.steps(),
                                        t.matmulSize()));
                            }
                        }
                    }
                }
            }
            return modes;
        }
    }

    private StepBench() {
    }

    /** Runs the plan, printing as it goes; returns each mode's result in order. */
    public static List<StepResult> run(Plan plan, PrintWriter out) throws IOException {
        Path work = Files.createTempDirectory("orpo-bench-step");
        try {
            int cpus = CpuQuota.detect().threads(Runtime.getRuntime().availableProcessors());
            LlamaConfig c = plan.model();
            StepSpec t = plan.template();
            ModelFlops flops = ModelFlops.perToken(c, t.rank(), EnumSet.allOf(LoraTarget.class), t.rowLength(),
                    false, false);
            out.printf(Locale.ROOT, "orpo bench step: %s; %d CPUs for this process; load average %s (1/5/15 min)%n",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS), cpus, ProcStats.loadAverages());
            out.printf(Locale.ROOT, "model: hidden %d, %d layers, %d heads / %d KV (head dim %d), MLP %d, vocab %d, "
                            + "%s head; random weights%n", c.hiddenSize(), c.numHiddenLayers(),
                    c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.intermediateSize(), c.vocabSize(),
                    c.tieWordEmbeddings() ? "tied" : "untied");
            out.printf(Locale.ROOT, "step: LoRA r%d (alpha %d) on all 7 projections, dropout %s; %d pair(s) × (%d "
                            + "prompt + %d answer) = %d rows × %d tokens = %d tokens; %d warm-up + %d timed steps "
                            + "per mode; child heap %s%n", t.rank(), 2 * t.rank(), t.loraDropout(), t.pairs(),
                    t.prompt(), t.answer(), 2 * t.pairs(), t.rowLength(), t.tokensPerStep(), t.warmup(), t.steps(),
                    plan.heap());
            out.printf(Locale.ROOT, "model FLOPs/token in two rows of %d: %.2f M = frozen projections %.2f fwd + "
                            + "%.2f bwd, LoRA %.2f, attention %.2f, LM head %.2f (docs/benchmarks.md#model-flops-per-"
                            + "token; other layouts: per computed token at their row length); matmul peak: fp32 %d³%n",
                    t.rowLength(),
                    flops.total() / 1e6, flops.baseForward() / 1e6, flops.baseBackward() / 1e6, flops.lora() / 1e6,
                    flops.attention() / 1e6, flops.head() / 1e6, t.matmulSize());
            out.flush();
            Path modelDir = SyntheticLlama.write(work.resolve("model"), c, 1);
            out.println();
            out.println("| mode | head chunk | rows × length | matmul GFLOP/s median (best) | step ms median (min) "
                    + "| tokens/s "
                    + "| model GFLOP/s | MFU | MFU on CPU time | user s | sys s | sys/user | page faults/step "
                    + "| RSS loaded MB | step peak MB | peak RSS MB | load ms | frozen proj. MiB | tokens/s vs first |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            out.flush();
            List<StepResult> results = new ArrayList<>();
            List<Double> loads = new ArrayList<>(List.of(ProcStats.loadAverage()));
            for (StepSpec mode : plan.modes(modelDir)) {
                StepResult r = ChildJvm.run(StepChild.class, plan.heap(), mode.threads(),
                        List.of(ChildJvm.argument(mode)), StepResult.class);
                if (!Double.isFinite(r.lastLoss())) {
                    throw new IllegalStateException(mode.label() + ": loss is " + r.lastLoss());
                }
                results.add(r);
                loads.add(ProcStats.loadAverage());
                double modeFlops = ModelFlops.perToken(c, t.rank(), EnumSet.allOf(LoraTarget.class), r.rowLength(),
                        false, false).total() * r.layoutTokens(); // model FLOPs of one step in the mode's layout
                out.println(row(mode, r, modeFlops, results.get(0)));
                out.flush();
            }
            footer(out, loads, cpus);
            return results;
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /**
     * One table row. tokens/s counts sequence tokens (chosen + rejected, as TRL's two rows hold them) in every layout,
     * so layouts compare by the data they train on; model FLOPs count what the layout computes.
     */
    private static String row(StepSpec mode, StepResult r, double flopsPerStep, StepResult first) {
        double tokensPerSecond = mode.tokensPerStep() / (r.medianStepMs() / 1e3);
        double firstTokensPerSecond = mode.tokensPerStep() / (first.medianStepMs() / 1e3);
        double gflops = flopsPerStep / (r.medianStepMs() / 1e3) / 1e9;
        // the same ratio on CPU time: model GFLOP per CPU-second of the steps ÷ matmul GFLOP per CPU-second
        double cpuGflops = flopsPerStep * r.stepMs().size() / r.cpuSeconds() / 1e9;
        return String.format(Locale.ROOT, "| %s | %s | %d × %d | %.1f (%.1f) | %.0f (%.0f) | %.0f | %.2f | %.0f %% "
                        + "| %.0f %% | %.2f | %.2f | %.1f %% | %,d | %.0f | %s%.0f | %.0f | %.0f | %.1f | %.2f× |",
                mode.label(), r.chunk() == 0 ? "full" : Integer.toString(r.chunk()), r.rows(), r.rowLength(),
                r.matmulMedianGflops(), r.matmulBestGflops(),
                r.medianStepMs(), r.minStepMs(), tokensPerSecond, gflops, 100 * gflops / r.matmulMedianGflops(),
                100 * cpuGflops / r.matmulCpuGflops(), r.userTicks() / ProcStats.TICKS_PER_SECOND,
                r.systemTicks() / ProcStats.TICKS_PER_SECOND, 100 * r.systemShare(),
                r.minorFaults() / r.stepMs().size(), r.loadedRssKb() / 1024.0,
                r.peakReset() ? "" : "(not reset) ", (r.peakRssKb() - r.loadedRssKb()) / 1024.0,
                r.peakRssKb() / 1024.0, r.loadMs(), r.frozenLinearBytes() / 1048576.0,
                tokensPerSecond / firstTokensPerSecond);
    }

    private static void footer(PrintWriter out, List<Double> loads, int cpus) {
        double max = loads.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        StringBuilder series = new StringBuilder();
        for (double l : loads) {
            series.append(String.format(Locale.ROOT, " %.2f", l));
        }
        out.println();
        out.printf(Locale.ROOT, "1-min load average at the start and after each mode:%s%n", series);
        if (max > cpus) {
            out.printf(Locale.ROOT, "WARNING: the load average reached %.2f, above the %d CPUs of this process: other "
                    + "processes competed for the CPUs, so times are pessimistic and ratios less reliable%n", max,
                    cpus);
        }
        out.println("MFU = tokens/s × model FLOPs/token ÷ the median fp32 matmul GFLOP/s measured in the same JVM; "
                + "MFU on CPU time = model FLOPs per CPU-second of the steps ÷ matmul FLOPs per CPU-second (other "
                + "processes stretch wall time, not CPU time); sys/user = system ÷ user CPU time of the timed "
                + "steps; page faults/step = minor page faults (pages the kernel mapped and zeroed) per timed step; "
                + "step peak = VmHWM over the steps − RSS after loading.");
        out.flush();
    }
}
