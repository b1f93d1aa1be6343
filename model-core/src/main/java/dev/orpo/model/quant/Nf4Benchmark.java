package dev.orpo.model.quant;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.FrozenWeights;
import dev.orpo.model.lora.LoraConfig;
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
import java.util.List;
import java.util.Locale;

/**
 * Prints base-weight bytes and ORPO step time of the same generated Llama loaded three ways, in one run: fp32, NF4
 * with fp32 block scales, NF4 with double-quantized scales (the seed's QLoRA setting). {@code Nf4Benchmark [steps]
 * [hidden] [layers] [digits]} (defaults 8, 256, 2, 30). Batch 4 pairs, rank-16 LoRA on all seven projections; ms/step
 * is the mean time between consecutive step logs, so it leaves out the first step and the final checkpoint.
 */
public final class Nf4Benchmark {
    private Nf4Benchmark() {
    }

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int layers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int digits = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        LlamaConfig config = SyntheticLlama.config(64, hidden, layers, hidden / 64, Math.max(1, hidden / 128),
                hidden * 2);
        SyntheticPreferenceTask task = new SyntheticPreferenceTask(SyntheticPreferenceTask.Rule.SORT, digits, 10);
        List<PreferencePair> train = task.split(100, 0, 1).trainPairs(TokenSpace.tiny());
        Path work = Files.createTempDirectory("orpo-nf4-bench");
        SyntheticLlama.write(work.resolve("model"), config, 1);
        System.out.printf(Locale.ROOT, "model: hidden %d, layers %d, FFN %d, vocab 64, seq %d tokens, batch 4 pairs, "
                        + "LoRA r16 all linear, %d steps; threads: %s%n", hidden, layers, hidden * 2,
                task.length() * 2 + 3, steps, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.println("| base storage | projection bytes | vs fp32 | load ms | ms/step |");
        System.out.println("|---|---|---|---|---|");
        NDManager.newBaseManager().close(); // load the engine before timing the first load
        long fp32Bytes = -1;
        Object[][] modes = {{"fp32", LlamaModel.DENSE}, {"nf4, fp32 scales", new Nf4Storage(new Nf4Config(64, false))},
            {"nf4, double-quant scales", new Nf4Storage(Nf4Config.defaults())}};
        for (Object[] mode : modes) {
            TrainerConfig tc = TrainerConfig.defaults().with("learning_rate", "1e-3").with("max_steps", "" + steps)
                    .with("per_device_train_batch_size", "4").with("gradient_accumulation_steps", "1")
                    .with("logging_steps", "1").with("save_steps", "" + (steps + 1));
            long start = System.nanoTime();
            try (NDManager manager = NDManager.newBaseManager();
                 LlamaModel model = LlamaModel.load(work.resolve("model"), manager, (FrozenWeights) mode[1])) {
                double loadMs = (System.nanoTime() - start) / 1e6;
                long bytes = model.frozenLinearBytes();
                fp32Bytes = fp32Bytes < 0 ? bytes : fp32Bytes;
                model.applyLora(LoraConfig.defaults());
                List<Long> logTimes = new ArrayList<>();
                OrpoTrainer trainer = new OrpoTrainer(model, tc, train, List.of(), work.resolve("out-" + bytes),
                        "bench");
                trainer.addListener(new TrainerListener() {
                    @Override
                    public void onLog(StepLog log) {
                        logTimes.add(System.nanoTime());
                    }
                });
                trainer.train();
                double msPerStep = (logTimes.get(logTimes.size() - 1) - logTimes.get(0)) / 1e6
                        / Math.max(1, logTimes.size() - 1);
                System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.0f | %.0f |%n", mode[0], bytes,
                        (double) bytes / fp32Bytes, loadMs, msPerStep);
            }
        }
    }
}
