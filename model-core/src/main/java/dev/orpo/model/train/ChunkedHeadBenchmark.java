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
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints the peak resident memory and the time of one ORPO training step ({@link MicroBatchStep}) with a large
 * vocabulary for {full logits, chunked head ({@link ChunkedHead})} × {plain, gradient checkpointing}, each mode in its
 * own child JVM: {@code ChunkedHeadBenchmark [vocab] [hidden] [layers] [seq] [pairs] [chunk] [steps]} (defaults
 * 128256, 512, 2, 512, 1, 256, 3). The model is a generated Llama (untied head, FFN 2 × hidden, head dim 64) with
 * rank-16 LoRA (dropout 0.05) on all seven projections; figures as in {@link CheckpointingBenchmark}: VmRSS after
 * loading, the step peak (VmHWM after a reset, minus that RSS) and step wall times.
 */
public final class ChunkedHeadBenchmark {
    private static final String[] MODES = {"full plain", "chunked plain", "full checkpointed", "chunked checkpointed"};

    private ChunkedHeadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            return;
        }
        int vocab = arg(args, 0, 128256);
        int hidden = arg(args, 1, 512);
        int layers = arg(args, 2, 2);
        int seq = arg(args, 3, 512);
        int pairs = arg(args, 4, 1);
        int chunk = arg(args, 5, 256);
        int steps = arg(args, 6, 3);
        LlamaConfig config = SyntheticLlama.config(vocab, hidden, layers, hidden / 64, Math.max(1, hidden / 256),
                2 * hidden);
        Path work = Files.createTempDirectory("orpo-chunk-bench");
        Path modelDir = SyntheticLlama.write(work.resolve("model"), config, 1);
        System.out.printf(Locale.ROOT, "model: vocab %d, hidden %d, layers %d, FFN %d, untied head; batch %d pair(s) "
                        + "× %d tokens; LoRA r16 all projections, dropout 0.05; chunk %d positions; %d steps per mode; "
                        + "threads %s%n", vocab, hidden, layers, 2 * hidden, pairs, seq, chunk, steps,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.println("| mode | RSS after load MB | step peak above it MB | peak RSS MB | first step ms | "
                + "later steps ms, min | median |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int mode = 0; mode < MODES.length; mode++) {
            System.out.println(runChild(mode, modelDir, seq, pairs, chunk, steps));
        }
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    /** Runs one mode in a fresh JVM with this class path and returns its table row. */
    private static String runChild(int mode, Path modelDir, int seq, int pairs, int chunk, int steps)
            throws IOException, InterruptedException {
        return BenchmarkChild.row(ChunkedHeadBenchmark.class, List.of("--child", "" + mode, modelDir.toString(), "" + seq,
                "" + pairs, "" + chunk, "" + steps), MODES[mode]);
    }

    private static void settle() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void child(int mode, Path modelDir, int seq, int pairs, int chunk, int steps) {
        int logitsChunkSize = mode % 2 == 1 ? chunk : 0;
        boolean checkpointing = mode >= 2;
        int digits = (seq - 3) / 2; // prompt = digits + BOS + SEP, answer = digits + EOS
        SyntheticPreferenceTask task = new SyntheticPreferenceTask(SyntheticPreferenceTask.Rule.SORT, digits, 10);
        List<PreferencePair> batchPairs = task.split(pairs, 0, 1).trainPairs(TokenSpace.tiny());
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(modelDir, manager)) {
            model.applyLora(LoraConfig.defaults());
            model.setTraining(true);
            PreferenceCollator collator = new PreferenceCollator(0, true);
            settle(); // the loader's direct buffers are freed by the GC's cleaner thread: let it run first
            long loaded = CheckpointingBenchmark.status("VmRSS:");
            boolean reset = CheckpointingBenchmark.resetPeak();
            long[] ms = new long[steps];
            for (int s = 0; s < steps; s++) {
                int step = s;
                long start = System.nanoTime();
                try (NDScope scope = new NDScope()) {
                    PreferenceBatch batch = collator.collate(batchPairs, model.manager());
                    MicroBatchStep.run(model, batch, MicroBatchStep.Options.of(0.1, 1)
                            .withGradientCheckpointing(checkpointing).withLogitsChunkSize(logitsChunkSize)
                            .beforeEachLayer(
                            layer -> Engine.getInstance().setRandomSeed(DataOrder.dropoutSeed(42, step, 0, layer))));
                    for (NDArray p : TrainableTensors.of(model).values()) {
                        p.getGradient().muli(0); // as the optimizer does, so steps do not pile up gradients
                    }
                }
                ms[s] = (System.nanoTime() - start) / 1_000_000;
            }
            long peak = CheckpointingBenchmark.status("VmHWM:");
            long[] later = CheckpointingBenchmark.later(ms);
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s%.0f | %.0f | %d | %d | %d |%n", MODES[mode],
                    loaded / 1024.0, reset ? "" : "(peak not reset: includes loading) ", (peak - loaded) / 1024.0,
                    peak / 1024.0, ms[0], later[0], later[(steps - 1) / 2]);
        }
    }
}
