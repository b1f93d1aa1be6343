package dev.orpo.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.BatchLayout;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.quant.Nf4Storage;
import dev.orpo.model.train.AdamW;
import dev.orpo.model.train.GradientClipping;
import dev.orpo.model.train.LogitsChunking;
import dev.orpo.model.train.MicroBatchStep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One mode of {@code orpo bench step}, in its own JVM so that its peak memory and CPU times are its own: measures the
 * fp32 matmul peak through libtorch, loads the generated model, then runs {@code warmup + steps} ORPO LoRA training
 * steps (collate in the mode's batch layout, forward + backward of one micro-batch with {@link MicroBatchStep},
 * gradient clipping, AdamW, as
 * {@code OrpoTrainer} does per update) and prints one {@link StepResult} line. Arguments: the {@link StepSpec} as
 * JSON.
 */
public final class StepChild {

    private StepChild() {
    }

    public static void main(String[] args) throws Exception {
        StepSpec spec = ChildJvm.JSON.readValue(args[0], StepSpec.class);
        ChildJvm.printResult(run(spec));
    }

    static StepResult run(StepSpec spec) {
        Engine.getInstance().setRandomSeed(1);
        double[] matmul = matmulGflops(spec.matmulSize());
        long loadStart = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(Path.of(spec.modelDir()), manager,
                     spec.nf4() == null ? WeightStorage.DENSE : new Nf4Storage(spec.nf4()))) {
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            model.applyLora(spec.lora());
            model.setTraining(true);
            List<PreferencePair> pairs = pairs(spec, model.config().vocabSize());
            PreferenceCollator collator = new PreferenceCollator(0, true).withLayout(
                    BatchLayout.parse(spec.layout()), 0);
            Shape rows = collator.shape(pairs); // (R, T) of the layout
            long layoutTokens = pairs.stream().mapToLong(collator::tokens).sum();
            int chunk = LogitsChunking.chunkFor(StepSpec.logitsChunkSize(spec.head()), rows.get(0), rows.get(1),
                    model.config().vocabSize());
            MicroBatchStep.Options options = MicroBatchStep.Options.of(0.1, 1)
                    .withGradientCheckpointing(spec.checkpointing()).withLogitsChunkSize(chunk);
            Map<String, NDArray> named = TrainableTensors.of(model);
            List<NDArray> params = new ArrayList<>(named.values());
            try (AdamW adam = new AdamW(named, AdamW.Config.DEFAULTS)) {
                settle(); // the loader's direct buffers are freed by the GC's cleaner thread: let it run first
                long loadedKb = ProcStats.rssKb();
                boolean peakReset = ProcStats.resetPeak();
                List<Double> stepMs = new ArrayList<>();
                ProcStats.CpuTicks cpuStart = null;
                double loss = Double.NaN;
                for (int s = 0; s < spec.warmup() + spec.steps(); s++) {
                    if (s == spec.warmup()) {
                        cpuStart = ProcStats.cpu();
                    }
                    int step = s;
                    long start = System.nanoTime();
                    try (NDScope scope = new NDScope()) {
                        PreferenceBatch batch = collator.collate(pairs, model.manager());
                        loss = MicroBatchStep.run(model, batch, options.beforeEachLayer(
                                layer -> Engine.getInstance().setRandomSeed(step * 1000 + layer))).loss();
                    }
                    GradientClipping.clipByGlobalNorm(params, 1.0);
                    adam.step(8e-6);
                    if (s >= spec.warmup()) {
                        stepMs.add((System.nanoTime() - start) / 1e6);
                    }
                }
                ProcStats.CpuTicks cpu = ProcStats.cpu().minus(cpuStart);
                return new StepResult(matmul[0], matmul[1], matmul[2], loadMs, model.frozenLinearBytes(), chunk,
                        rows.get(0), rows.get(1), layoutTokens, loadedKb, ProcStats.peakRssKb(), peakReset, stepMs,
                        cpu.user(), cpu.system(), cpu.minorFaults(), loss);
            }
        }
    }

    /**
     * fp32 (n × n) · (n × n) through libtorch, as many times as fit in about a second after three warm-up products:
     * {best, median} GFLOP/s (2n³ FLOPs each) and GFLOP per CPU-second (user + system time of this process).
     */
    static double[] matmulGflops(int n) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(n, n), DataType.FLOAT32);
            NDArray b = m.randomNormal(new Shape(n, n), DataType.FLOAT32);
            for (int i = 0; i < 3; i++) {
                a.matMul(b).close();
            }
            List<Double> seconds = new ArrayList<>();
            ProcStats.CpuTicks cpu0 = ProcStats.cpu();
            long begin = System.nanoTime();
            while (seconds.size() < 5 || (System.nanoTime() - begin < 1_000_000_000L && seconds.size() < 1000)) {
                long t = System.nanoTime();
                a.matMul(b).close();
                seconds.add((System.nanoTime() - t) / 1e9);
            }
            ProcStats.CpuTicks cpu = ProcStats.cpu().minus(cpu0);
            double flops = 2.0 * n * n * n;
            double best = seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double cpuSeconds = (cpu.user() + cpu.system()) / ProcStats.TICKS_PER_SECOND;
            return new double[] {flops / best / 1e9, flops / Stats.median(seconds) / 1e9,
                flops * seconds.size() / cpuSeconds / 1e9};
        }
    }

    /** {@code pairs} pairs of random token ids (ids 3 … V−1, so no pad/BOS/EOS), prompt + answer tokens per row. */
    static List<PreferencePair> pairs(StepSpec spec, int vocab) {
        SplittableRandom rng = new SplittableRandom(7);
        List<PreferencePair> pairs = new ArrayList<>();
        for (int p = 0; p < spec.pairs(); p++) {
            pairs.add(PreferencePair.ofIds(ids(rng, spec.prompt(), vocab), ids(rng, spec.answer(), vocab),
                    ids(rng, spec.answer(), vocab)));
        }
        return pairs;
    }

    private static int[] ids(SplittableRandom rng, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 3 + rng.nextInt(vocab - 3);
        }
        return ids;
    }

    /** A few collections with pauses, so the cleaner thread frees the loader's direct buffers before RSS is read. */
    static void settle() {
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
}
