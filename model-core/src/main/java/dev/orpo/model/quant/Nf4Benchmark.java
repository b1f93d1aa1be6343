package dev.orpo.model.quant;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;
import dev.orpo.model.train.OrpoTrainer;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainerConfig;
import dev.orpo.model.train.TrainerListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints base-weight bytes and ORPO step time of the same generated Llama loaded three ways, in one run: fp32, NF4
 * with fp32 block scales, NF4 with double-quantized scales (the seed's QLoRA setting). {@code Nf4Benchmark [steps]
 * [hidden] [layers] [rounds]} (defaults 6, 512, 2, 3). Batch 4 pairs of 63 tokens, rank-16 LoRA on all seven
 * projections. ms/step is the mean time between consecutive step logs (no first step, no checkpoint); the modes run
 * interleaved for {@code rounds} rounds and the median and minimum over rounds are printed, since a shared machine's
 * load shifts single runs by a factor of several.
 */
public final class Nf4Benchmark {
    private static final String[] NAMES = {"fp32", "nf4, fp32 scales", "nf4, double-quant scales"};

    private Nf4Benchmark() {
    }

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int layers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        LlamaConfig config = SyntheticLlama.config(64, hidden, layers, hidden / 64, Math.max(1, hidden / 128),
                hidden * 2);
        SyntheticPreferenceTask task = new SyntheticPreferenceTask(SyntheticPreferenceTask.Rule.SORT, 30, 10);
        List<PreferencePair> train = task.split(100, 0, 1).trainPairs(TokenSpace.tiny());
        Path work = Files.createTempDirectory("orpo-nf4-bench");
        SyntheticLlama.write(work.resolve("model"), config, 1);
        WeightStorage[] storages = {WeightStorage.DENSE, new Nf4Storage(new Nf4Config(64, false)),
            new Nf4Storage(Nf4Config.defaults())};
        long[] bytes = new long[3];
        double[][] loadMs = new double[3][rounds];
        double[][] stepMs = new double[3][rounds];
        NDManager.newBaseManager().close(); // load the engine before timing the first load
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < storages.length; m++) {
                long start = System.nanoTime();
                try (NDManager manager = NDManager.newBaseManager();
                     LlamaModel model = PretrainedLlama.load(work.resolve("model"), manager, storages[m])) {
                    loadMs[m][r] = (System.nanoTime() - start) / 1e6;
                    bytes[m] = model.frozenLinearBytes();
                    stepMs[m][r] = msPerStep(model, train, steps, work.resolve("out"));
                }
            }
        }
        System.out.printf(Locale.ROOT, "model: hidden %d, layers %d, FFN %d, vocab 64, seq %d tokens, batch 4 pairs, "
                        + "LoRA r16 all linear; %d steps × %d rounds; threads: %s%n", hidden, layers, hidden * 2,
                task.length() * 2 + 3, steps, rounds, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.println("| base storage | projection bytes | vs fp32 | load ms (median) | ms/step median | min |");
        System.out.println("|---|---|---|---|---|---|");
        for (int m = 0; m < storages.length; m++) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.0f | %.0f | %.0f |%n", NAMES[m], bytes[m],
                    (double) bytes[m] / bytes[0], median(loadMs[m]), median(stepMs[m]),
                    Arrays.stream(stepMs[m]).min().orElse(Double.NaN));
        }
    }

    private static double msPerStep(LlamaModel model, List<PreferencePair> train, int steps, Path out) {
        TrainerConfig tc = TrainerConfig.defaults().with("learning_rate", "1e-3").with("max_steps", "" + steps)
                .with("per_device_train_batch_size", "4").with("gradient_accumulation_steps", "1")
                .with("logging_steps", "1").with("save_steps", "" + (steps + 1));
        model.applyLora(LoraConfig.defaults());
        List<Long> logTimes = new ArrayList<>();
        OrpoTrainer trainer = new OrpoTrainer(model, tc, train, List.of(), out, "bench");
        trainer.addListener(new TrainerListener() {
            @Override
            public void onLog(StepLog log) {
                logTimes.add(System.nanoTime());
            }
        });
        trainer.train();
        return (logTimes.get(logTimes.size() - 1) - logTimes.get(0)) / 1e6 / Math.max(1, logTimes.size() - 1);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
