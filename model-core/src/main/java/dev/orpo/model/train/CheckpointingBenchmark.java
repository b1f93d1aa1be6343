package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.quant.Nf4Config;
import dev.orpo.model.quant.Nf4Storage;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints the peak resident memory and the time of one ORPO training step (forward + backward of one micro-batch,
 * {@link MicroBatchStep}) for a {fp32, nf4} base × {plain, gradient checkpointing}, each mode in its own child JVM so
 * that the peaks do not mix: {@code CheckpointingBenchmark [hidden] [layers] [seq] [pairs] [steps]} (defaults 1024, 4,
 * 512, 1, 3). The model is a generated Llama (vocab 64, FFN 2 × hidden, head dim 64, 4 query heads per KV head) with
 * rank-16 LoRA (dropout 0.05) on all seven projections; the batch is {@code pairs} preference pairs of {@code seq}
 * tokens (2 × pairs rows).
 *
 * <p>Per mode: VmRSS after loading; the step peak, VmHWM over {@code steps} steps after resetting it
 * ({@code /proc/self/clear_refs} 5), minus that RSS; the first step's wall time, and the minimum and median wall time
 * of the later steps (on a shared machine the minimum is the step least slowed by other processes). The child heap is capped at 512 MB, so the peaks are native (PyTorch) memory.
 */
public final class CheckpointingBenchmark {
    private static final String[] MODES = {"fp32 plain", "fp32 checkpointed", "nf4 plain", "nf4 checkpointed"};

    private CheckpointingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            return;
        }
        int hidden = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int seq = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int pairs = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        LlamaConfig config = SyntheticLlama.config(64, hidden, layers, hidden / 64, Math.max(1, hidden / 256),
                2 * hidden);
        Path work = Files.createTempDirectory("orpo-ckpt-bench");
        Path modelDir = SyntheticLlama.write(work.resolve("model"), config, 1);
        System.out.printf(Locale.ROOT, "model: hidden %d, layers %d, heads %d (kv %d), FFN %d, vocab 64; batch %d "
                        + "pair(s) × %d tokens; LoRA r16 all projections, dropout 0.05; %d steps per mode; threads %s%n",
                hidden, layers, hidden / 64, Math.max(1, hidden / 256), 2 * hidden, pairs, seq, steps,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.println("| mode | RSS after load MB | step peak above it MB | peak RSS MB | first step ms | "
                + "later steps ms, min | median |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int mode = 0; mode < MODES.length; mode++) {
            System.out.println(runChild(mode, modelDir, seq, pairs, steps));
        }
    }

    /** Runs one mode in a fresh JVM with this class path and returns its table row. */
    private static String runChild(int mode, Path modelDir, int seq, int pairs, int steps)
            throws IOException, InterruptedException {
        return BenchmarkChild.row(CheckpointingBenchmark.class, List.of("--child", "" + mode, modelDir.toString(), "" + seq,
                "" + pairs, "" + steps), MODES[mode]);
    }

    private static void child(int mode, Path modelDir, int seq, int pairs, int steps) {
        boolean nf4 = mode >= 2;
        boolean checkpointing = mode % 2 == 1;
        int digits = (seq - 3) / 2; // prompt = digits + BOS + SEP, answer = digits + EOS
        SyntheticPreferenceTask task = new SyntheticPreferenceTask(SyntheticPreferenceTask.Rule.SORT, digits, 10);
        List<PreferencePair> batchPairs = task.split(pairs, 0, 1).trainPairs(TokenSpace.tiny());
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(modelDir, manager,
                     nf4 ? new Nf4Storage(Nf4Config.defaults()) : WeightStorage.DENSE)) {
            model.applyLora(LoraConfig.defaults());
            model.setTraining(true);
            PreferenceCollator collator = new PreferenceCollator(0, true);
            System.gc();
            long loaded = status("VmRSS:");
            boolean reset = resetPeak();
            long[] ms = new long[steps];
            for (int s = 0; s < steps; s++) {
                int step = s;
                long start = System.nanoTime();
                try (NDScope scope = new NDScope()) {
                    PreferenceBatch batch = collator.collate(batchPairs, model.manager());
                    MicroBatchStep.run(model, batch, MicroBatchStep.Options.of(0.1, 1)
                            .withGradientCheckpointing(checkpointing).beforeEachLayer(
                            layer -> Engine.getInstance().setRandomSeed(DataOrder.dropoutSeed(42, step, 0, layer))));
                    for (NDArray p : TrainableTensors.of(model).values()) {
                        p.getGradient().muli(0); // as the optimizer does, so steps do not pile up gradients
                    }
                }
                ms[s] = (System.nanoTime() - start) / 1_000_000;
            }
            long peak = status("VmHWM:");
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s%.0f | %.0f | %d | %d | %d |%n", MODES[mode],
                    loaded / 1024.0, reset ? "" : "(peak not reset: includes loading) ", (peak - loaded) / 1024.0,
                    peak / 1024.0, ms[0], later(ms)[0], later(ms)[(steps - 1) / 2]);
        }
    }

    /** All values but the first (the first step warms allocators and caches), sorted. */
    static long[] later(long[] values) {
        long[] later = Arrays.copyOfRange(values, Math.min(1, values.length - 1), values.length);
        Arrays.sort(later);
        return later;
    }

    /** Resets VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs); false when that is refused. */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** A kB figure from /proc/self/status, e.g. {@code VmRSS:} or {@code VmHWM:}. */
    static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }
}
