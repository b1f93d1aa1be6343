package dev.orpo.model.llama;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.WeightStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Memory-stability benchmark (a main, not a test): LoRA forward + backward + SGD update steps on a small random Llama,
 * each step inside an NDScope; prints the process RSS and the Java heap (used/committed) as it goes.
 * Usage: {@code [steps] [batch] [seq]}.
 * The command and figures are in docs/benchmarks.md.
 */
public final class ForwardBackwardMemoryBenchmark {

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int seq = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        LlamaConfig c = new LlamaConfig("LlamaForCausalLM", 256, 64, 172, 2, 4, 2, 16, 1e-5, 500000.0, null, 256,
                false, false, 1, List.of(2), 0, "float32");
        Random rng = new Random(1);
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(c, TinyLlama.weights(c, 1, 1 / Math.sqrt(64), 1 / Math.sqrt(64)), manager, WeightStorage.DENSE)) {
            model.applyLora(LoraConfig.defaults());
            model.setTraining(true);
            List<NDArray> params = List.copyOf(TrainableTensors.of(model).values());
            System.out.printf("model: %d layers, hidden %d, vocab %d; batch %d × seq %d; %d LoRA tensors%n",
                    c.numHiddenLayers(), c.hiddenSize(), c.vocabSize(), batch, seq, params.size());
            long start = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                float loss;
                try (NDScope ignored = new NDScope()) {
                    long[][] ids = new long[batch][seq];
                    for (long[] row : ids) {
                        for (int t = 0; t < seq; t++) {
                            row[t] = rng.nextInt(c.vocabSize());
                        }
                    }
                    NDArray x = manager.create(ids);
                    NDArray mask = x.onesLike();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = NextTokens.logProbs(model, x, Attention.padded(mask)).mean().neg();
                        gc.backward(l);
                        loss = l.getFloat();
                    }
                    for (NDArray p : params) { // plain SGD, then zero the accumulated gradient
                        NDArray g = p.getGradient();
                        p.subi(g.mul(1e-3f));
                        g.subi(g);
                    }
                }
                if (step == 1 || step == 10 || step % (steps / 10 == 0 ? 1 : steps / 10) == 0) {
                    double secs = (System.nanoTime() - start) / 1e9;
                    Runtime rt = Runtime.getRuntime();
                    System.out.printf("step %5d  loss %.4f  RSS %6.1f MB  Java heap %5.1f/%5.1f MB  %.0f tokens/s%n",
                            step, loss, rssMb(), (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
                            rt.totalMemory() / 1048576.0, step * (double) batch * seq / secs);
                }
            }
        }
    }

    /** Resident set size from /proc/self/status (Linux). */
    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        return Double.NaN;
    }
}
