package dev.orpo.model.synthetic;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.train.OrpoTrainer;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainerConfig;
import dev.orpo.model.train.TrainerListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints training throughput and memory of {@link OrpoTrainer} on a synthetic model:
 * {@code TrainingBenchmark [steps] [hidden] [layers] [digits]} (defaults 200, 256, 4, 60 → 123-token sequences).
 * Batch 4 pairs, no accumulation, rank-16 LoRA on all linear layers (the seed recipe's), dropout 0.05. Reports
 * resident memory (VmRSS) after loading, after the first tenth of the steps and at the end, so a leak shows as growth,
 * and the committed Java heap (which accounts for RSS growth that is only uncollected Java garbage).
 */
public final class TrainingBenchmark {

    private TrainingBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int layers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int digits = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        LlamaConfig config = SyntheticLlama.config(64, hidden, layers, hidden / 64, Math.max(1, hidden / 128),
                hidden * 2);
        SyntheticPreferenceTask task = new SyntheticPreferenceTask(SyntheticPreferenceTask.Rule.SORT, digits, 10);
        List<PreferencePair> train = task.split(400, 0, 1).trainPairs(TokenSpace.tiny());
        Path work = Files.createTempDirectory("orpo-train-bench");
        SyntheticLlama.write(work.resolve("model"), config, 1);
        TrainerConfig tc = TrainerConfig.defaults().with("learning_rate", "1e-3").with("max_steps", "" + steps)
                .with("per_device_train_batch_size", "4").with("gradient_accumulation_steps", "1")
                .with("logging_steps", "" + Math.max(1, steps / 10)).with("save_steps", "" + (steps + 1));
        try (NDManager manager = NDManager.newBaseManager(); CheckpointReader reader = CheckpointReader.open(
                work.resolve("model")); LlamaModel model = PretrainedLlama.load(config, reader, manager, WeightStorage.DENSE)) {
            model.applyLora(LoraConfig.defaults());
            long rssLoaded = rssKb();
            long[] rssEarly = {0, 0};
            double[] tokensPerSecond = {0, 0};
            int[] logs = {0};
            StringBuilder rssSeries = new StringBuilder();
            OrpoTrainer trainer = new OrpoTrainer(model, tc, train, List.of(), work.resolve("out"), "bench");
            trainer.addListener(new TrainerListener() {
                @Override
                public void onLog(StepLog log) {
                    rssSeries.append(String.format(Locale.ROOT, " %d:%.0f", log.step(), rssKb() / 1024.0));
                    if (logs[0]++ == 0) {
                        rssEarly[0] = rssKb();
                        rssEarly[1] = Runtime.getRuntime().totalMemory();
                    } else {
                        tokensPerSecond[0] += log.tokensPerSecond();
                        tokensPerSecond[1]++;
                    }
                }
            });
            long start = System.nanoTime();
            trainer.train();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "model: hidden %d, layers %d, vocab 64, seq %d tokens, batch 4 pairs "
                            + "(8 rows), LoRA r16 all linear; threads: %s%n", hidden, layers,
                    task.length() * 2 + 3, System.getProperty("ai.djl.pytorch.num_threads", "default"));
            System.out.printf(Locale.ROOT, "steps: %d in %.1f s (%.1f ms/step incl. final checkpoint)%n", steps,
                    seconds, 1000 * seconds / steps);
            System.out.printf(Locale.ROOT, "tokens/s (mean of logs after the first): %.0f%n",
                    tokensPerSecond[1] > 0 ? tokensPerSecond[0] / tokensPerSecond[1] : Double.NaN);
            System.out.printf(Locale.ROOT, "RSS MB: loaded %.0f, after %d steps %.0f, end %.0f%n", rssLoaded / 1024.0,
                    tc.loggingSteps(), rssEarly[0] / 1024.0, rssKb() / 1024.0);
            System.out.println("RSS MB by step:" + rssSeries);
            System.out.printf(Locale.ROOT, "Java heap committed MB: after %d steps %.0f, end %.0f (max %.0f)%n",
                    tc.loggingSteps(), rssEarly[1] / 1048576.0, Runtime.getRuntime().totalMemory() / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
        }
    }

    /** Resident set size from /proc/self/status (Linux), or −1. */
    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
