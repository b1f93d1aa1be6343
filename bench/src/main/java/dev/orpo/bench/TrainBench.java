package dev.orpo.bench;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;
import dev.orpo.model.train.OrpoTrainer;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainerConfig;
import dev.orpo.model.train.TrainerListener;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code orpo bench train}: a whole {@link OrpoTrainer} run on a seeded synthetic Llama (vocab 64, untied head) and
 * the digit-sorting preference task, in a child JVM with the given heap options: ms/step, tokens/s and the resident
 * memory after loading and at every log, so a leak shows as growth, next to the committed Java heap (which accounts
 * for growth that is only uncollected Java garbage). Batch 4 pairs, no accumulation, rank-16 LoRA on all seven
 * projections (dropout 0.05), one checkpoint at the end.
 */
public final class TrainBench {

    /** What to run: {@code steps} updates of a {@code hidden} × {@code layers} model on rows of 2·digits+3 tokens. */
    public record Spec(int steps, int hidden, int layers, int digits) {
        public Spec {
            if (steps < 2 || hidden < 64 || hidden % 64 != 0 || layers < 1 || digits < 1) {
                throw new IllegalArgumentException("orpo bench train needs --steps >= 2, --hidden a multiple of 64, "
                        + "--layers >= 1, --digits >= 1; got " + this);
            }
        }
    }

    /** What the child measured: RSS (kB) after loading and at each log, tokens/s, first and last loss. */
    public record Result(long loadedRssKb, List<Long> rssKbByLog, List<Integer> logSteps, double tokensPerSecond,
                         double msPerStep, double firstLoss, double lastLoss, long heapCommittedBytes) {
    }

    private TrainBench() {
    }

    /** Runs {@code spec} in a child JVM with {@code jvmOptions}, forwarding what it prints to {@code out}. */
    public static Result run(Spec spec, List<String> jvmOptions, int threads, PrintWriter out) {
        out.printf(Locale.ROOT, "orpo bench train: JVM %s; load average %s (1/5/15 min)%n", jvmOptions,
                ProcStats.loadAverages());
        out.flush();
        Result r = ChildJvm.run(TrainBench.class, jvmOptions, threads, List.of(ChildJvm.argument(spec)),
                Result.class, line -> {
                    out.println(line);
                    out.flush();
                });
        out.printf(Locale.ROOT, "load average at the end: %s%n", ProcStats.loadAverages());
        out.flush();
        return r;
    }

    /** The child: trains and prints the report, then the result line. */
    public static void main(String[] args) throws Exception {
        Spec spec = ChildJvm.JSON.readValue(args[0], Spec.class);
        LlamaConfig config = SyntheticLlama.config(64, spec.hidden(), spec.layers(), spec.hidden() / 64,
                Math.max(1, spec.hidden() / 128), spec.hidden() * 2);
        SyntheticPreferenceTask task = new SyntheticPreferenceTask(SyntheticPreferenceTask.Rule.SORT, spec.digits(),
                10);
        List<PreferencePair> train = task.split(400, 0, 1).trainPairs(TokenSpace.tiny());
        Path work = Files.createTempDirectory("orpo-bench-train");
        int logEvery = Math.max(1, spec.steps() / 10);
        TrainerConfig tc = TrainerConfig.defaults().with("learning_rate", "1e-3").with("max_steps", "" + spec.steps())
                .with("per_device_train_batch_size", "4").with("gradient_accumulation_steps", "1")
                .with("logging_steps", "" + logEvery).with("save_steps", "" + (spec.steps() + 1));
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(SyntheticLlama.write(work.resolve("model"), config, 1), manager)) {
            model.applyLora(LoraConfig.defaults());
            long loaded = ProcStats.rssKb();
            List<Long> rss = new ArrayList<>();
            List<Integer> steps = new ArrayList<>();
            List<Double> tokensPerSecond = new ArrayList<>();
            List<Double> losses = new ArrayList<>();
            OrpoTrainer trainer = new OrpoTrainer(model, tc, train, List.of(), work.resolve("out"), "bench");
            trainer.addListener(new TrainerListener() {
                @Override
                public void onLog(StepLog log) {
                    rss.add(ProcStats.rssKb());
                    steps.add(log.step());
                    losses.add(log.metrics().get("loss"));
                    if (steps.size() > 1) {
                        tokensPerSecond.add(log.tokensPerSecond()); // the first log includes the warm-up
                    }
                }
            });
            long start = System.nanoTime();
            trainer.train();
            double ms = (System.nanoTime() - start) / 1e6 / spec.steps();
            double tps = tokensPerSecond.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            Result r = new Result(loaded, rss, steps, tps, ms, losses.get(0), losses.get(losses.size() - 1),
                    Runtime.getRuntime().totalMemory());
            print(spec, task.length() * 2 + 3, r);
            ChildJvm.printResult(r);
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    private static void print(Spec spec, int seq, Result r) {
        System.out.printf(Locale.ROOT, "model: hidden %d, %d layer(s), vocab 64, rows of %d tokens, batch 4 pairs (8 "
                        + "rows), LoRA r16 on all 7 projections; PyTorch threads %s%n", spec.hidden(), spec.layers(),
                seq, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.printf(Locale.ROOT, "steps: %d, %.1f ms/step (incl. the final checkpoint); tokens/s (mean of the "
                + "logs after the first): %.0f; loss %.4f → %.4f%n", spec.steps(), r.msPerStep(), r.tokensPerSecond(),
                r.firstLoss(), r.lastLoss());
        StringBuilder series = new StringBuilder();
        for (int i = 0; i < r.rssKbByLog().size(); i++) {
            series.append(String.format(Locale.ROOT, " %d:%.0f", r.logSteps().get(i), r.rssKbByLog().get(i) / 1024.0));
        }
        System.out.printf(Locale.ROOT, "RSS MB: loaded %.0f; by step:%s%n", r.loadedRssKb() / 1024.0, series);
        System.out.printf(Locale.ROOT, "Java heap committed at the end: %.0f MB (max %.0f MB)%n",
                r.heapCommittedBytes() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
        System.out.flush();
    }
}
