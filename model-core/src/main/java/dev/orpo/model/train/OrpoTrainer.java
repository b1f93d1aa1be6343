package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.orpo.OrpoLoss;
import dev.orpo.model.orpo.OrpoOutput;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * ORPO fine-tuning of a LoRA-adapted {@link LlamaModel}, as TRL's {@code ORPOTrainer} on HF's {@code Trainer} loop:
 * epochs → a seeded shuffle of the rows (grouped by length with {@code group_by_length}) → micro-batches of
 * {@code per_device_train_batch_size} pairs, laid out in rows as {@code batch_layout} says; per update
 * {@code gradient_accumulation_steps} micro-batches each contribute {@code loss / n} to the gradients, then gradient
 * clipping, the scheduled learning rate and one AdamW step ({@link MicroBatchStep}: plain, or with gradient
 * checkpointing per decoder layer). Every step's NDArrays live in an {@link NDScope}; the optimizer state lives outside
 * it.
 *
 * <p>Checkpoints ({@link Checkpoints}) go to {@code <outputDir>/checkpoints/step-<n>/} every {@code save_steps} and
 * at the end; {@link #resume(Path)} continues one so that the final adapter equals an uninterrupted run's. Randomness
 * (data order, LoRA dropout) is derived from the seed and the step alone ({@code DataOrder}); dropout draws from the
 * engine's global RNG, so train one model per JVM at a time.
 */
public final class OrpoTrainer {
    private final LlamaModel model;
    private final TrainerConfig config;
    private final List<PreferencePair> train;
    private final List<PreferencePair> eval;
    private final Path checkpointsDir;
    private final String baseModel;
    private final PreferenceCollator collator;
    /** Tokens each training pair occupies in the batch layout, for {@code group_by_length}. */
    private final int[] lengths;
    private final List<TrainerListener> listeners = new ArrayList<>();
    private BooleanSupplier cancel = () -> false;

    /**
     * @param model               with LoRA applied (and embeddings resized, if any); its trainable tensors are trained
     * @param train               training pairs (non-empty)
     * @param eval                held-out pairs for {@code eval_*} metrics; may be empty (no evaluation)
     * @param outputDir           checkpoints go to {@code outputDir/checkpoints/step-<n>}
     * @param baseModelNameOrPath written into adapter_config.json
     */
    public OrpoTrainer(LlamaModel model, TrainerConfig config, List<PreferencePair> train, List<PreferencePair> eval,
                       Path outputDir, String baseModelNameOrPath) {
        if (train == null || train.isEmpty()) {
            throw new IllegalArgumentException("training data is empty");
        }
        TrainableTensors.peftConfig(model, baseModelNameOrPath); // fails early without LoRA
        this.model = model;
        this.config = config;
        this.train = List.copyOf(train);
        this.eval = eval == null ? List.of() : List.copyOf(eval);
        this.checkpointsDir = outputDir.resolve("checkpoints");
        this.baseModel = baseModelNameOrPath;
        Integer pad = model.config().padTokenId();
        this.collator = collator(config, pad == null ? 0 : pad);
        this.lengths = layoutLengths(collator, this.train);
    }

    /**
     * The collator of {@code config}'s layout. Packed rows are no longer than the micro-batch's longest pair: packing
     * never lengthens a row (attention grows with the square of its length).
     */
    static PreferenceCollator collator(TrainerConfig config, long padId) {
        return new PreferenceCollator(padId, config.promptLoss()).withLayout(config.batchLayout(), 0);
    }

    /** Tokens each pair occupies in the collator's layout, by pair index (the lengths group_by_length sorts by). */
    static int[] layoutLengths(PreferenceCollator collator, List<PreferencePair> pairs) {
        int[] lengths = new int[pairs.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = collator.tokens(pairs.get(i));
        }
        return lengths;
    }

    /** The pairs at {@code order[from, to)}. */
    static List<PreferencePair> slice(List<PreferencePair> pairs, int[] order, int from, int to) {
        List<PreferencePair> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(pairs.get(order[i]));
        }
        return out;
    }

    public OrpoTrainer addListener(TrainerListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Polled before every update; when it answers true the trainer writes a checkpoint and stops. */
    public OrpoTrainer cancelWhen(BooleanSupplier cancelled) {
        this.cancel = cancelled;
        return this;
    }

    /** Optimizer updates of the whole run. */
    public int totalSteps() {
        return config.totalSteps(train.size());
    }

    public Path checkpointsDir() {
        return checkpointsDir;
    }

    /** Trains from the model's current trainable weights (a fresh LoRA) to the end or a cancel. */
    public TrainResult train() {
        try (Optimizer optimizer = Optimizer.create(config, TrainableTensors.of(model))) {
            return run(0, optimizer, new ArrayList<>());
        }
    }

    /** Continues from a checkpoint written by this trainer for the same data and config. */
    public TrainResult resume(Path checkpointDir) {
        TrainerState state = TrainerState.read(checkpointDir);
        requireSame("train rows", state.trainRows(), train.size(), checkpointDir);
        requireSame("max_steps", state.totalSteps(), totalSteps(), checkpointDir);
        requireSame("seed", state.seed(), config.seed(), checkpointDir);
        // the data order: grouping by length changes which pairs meet (checkpoints from before the setting had none)
        requireSame("group_by_length", Boolean.TRUE.equals(state.config().get("group_by_length")) ? 1 : 0,
                config.groupByLength() ? 1 : 0, checkpointDir);
        for (String key : List.of("per_device_train_batch_size", "gradient_accumulation_steps")) {
            requireSame(key, ((Number) state.config().get(key)).intValue(), ((Number) config.asMap().get(key))
                    .intValue(), checkpointDir);
        }
        TrainableTensors.load(model, dev.orpo.model.lora.PeftAdapterFiles.read(checkpointDir).tensors());
        try (Optimizer optimizer = Optimizer.create(config, TrainableTensors.of(model))) {
            optimizer.importState(Checkpoints.readOptimizer(checkpointDir));
            return run(state.globalStep(), optimizer, new ArrayList<>(state.logHistory()));
        }
    }

    private TrainResult run(int startStep, Optimizer optimizer, List<Map<String, Object>> history) {
        int total = totalSteps();
        int accum = config.gradientAccumulationSteps();
        int perEpoch = config.stepsPerEpoch(train.size());
        int microsPerEpoch = config.microBatchesPerEpoch(train.size());
        LrSchedule schedule = config.schedule(total);
        List<NDArray> params = new ArrayList<>(optimizer.parameters().values());
        MetricWindow window = new MetricWindow();
        long started = System.nanoTime();
        if (startStep == 0 && config.evalOnStart()) {
            evaluateAndReport(0, 0.0, history);
        }
        int step = startStep;
        int[] order = null;
        int orderEpoch = -1;
        Path lastSaved = null;
        boolean cancelled = false;
        while (step < total) {
            if (cancel.getAsBoolean()) {
                cancelled = true;
                break;
            }
            // where this update reads: its epoch's shuffled order, micro-batches [first, last)
            int epoch = step / perEpoch;
            int first = (step % perEpoch) * accum;
            int last = Math.min(first + accum, microsPerEpoch);
            if (epoch != orderEpoch) {
                order = DataOrder.ofEpoch(config, lengths, epoch);
                orderEpoch = epoch;
            }
            // forward + backward of each micro-batch; loss / n so n micro-batches sum to one batch's gradient
            // LoRA dropout on, unless disable_dropout (TRL's default) zeroes it as TRL's disable_dropout_in_model does
            model.setTraining(!config.disableDropout());
            int n = last - first;
            for (int micro = first; micro < last; micro++) {
                int update = step;
                int slot = micro - first;
                List<PreferencePair> pairs = microBatch(order, micro);
                try (NDScope scope = new NDScope()) {
                    PreferenceBatch batch = collator.collate(pairs, model.manager());
                    // dropout masks seeded per (step, micro-batch, layer): a checkpointed recompute draws the same
                    MicroBatchStep.Result out = MicroBatchStep.run(model, batch,
                            stepOptions(n, batch).beforeEachLayer(
                            layer -> Engine.getInstance().setRandomSeed(
                                    DataOrder.dropoutSeed(config.seed(), update, slot, layer))));
                    window.add(out.loss(), out.metrics(), tokens(pairs));
                }
            }
            // update after the collector has closed: clip, scheduled lr, the optimizer (which zeroes the gradients);
            // the scope frees the norm's temporaries
            double gradNorm = config.maxGradNorm() > 0
                    ? GradientClipping.clipByGlobalNorm(params, config.maxGradNorm())
                    : GradientClipping.globalNorm(params);
            double lr = schedule.lr(step);
            optimizer.step(lr);
            step++;
            double epochs = (double) step / perEpoch;

            if (step % config.loggingSteps() == 0) {
                Map<String, Double> metrics = window.means();
                metrics.put("learning_rate", lr);
                metrics.put("grad_norm", gradNorm);
                metrics.put("epoch", epochs);
                double elapsed = (System.nanoTime() - started) / 1e9;
                double eta = elapsed / (step - startStep) * (total - step);
                StepLog log = new StepLog(step, total, metrics, window.tokensPerSecond(), elapsed, eta);
                window.reset();
                history.add(entry(metrics, step));
                listeners.forEach(l -> l.onLog(log));
            }
            if (step % config.evalEvery(total) == 0) {
                evaluateAndReport(step, epochs, history);
            }
            if (step % config.saveEvery(total) == 0 || step == total) {
                lastSaved = save(step, perEpoch, optimizer, history);
            }
        }
        if (lastSaved == null || !lastSaved.getFileName().toString().equals(Checkpoints.dirName(step))) {
            lastSaved = save(step, perEpoch, optimizer, history);
        }
        TrainResult result = new TrainResult(step, total, cancelled, lastSaved, history);
        listeners.forEach(l -> l.onEnd(result));
        return result;
    }

    /**
     * Held-out metrics in eval mode (no dropout, no gradients): {@code eval_loss} and TRL's metrics with the
     * {@code eval_} prefix, each the mean over batches of {@code per_device_eval_batch_size} pairs (TRL's averaging).
     */
    public Map<String, Double> evaluate() {
        if (eval.isEmpty()) {
            throw new IllegalStateException("no evaluation data");
        }
        model.setTraining(false);
        Map<String, Double> sums = new LinkedHashMap<>();
        int batches = 0;
        for (int from = 0; from < eval.size(); from += config.perDeviceEvalBatchSize()) {
            List<PreferencePair> pairs = eval.subList(from, Math.min(from + config.perDeviceEvalBatchSize(),
                    eval.size()));
            try (NDScope scope = new NDScope()) {
                PreferenceBatch batch = collator.collate(pairs, model.manager());
                int chunk = logitsChunk(batch);
                OrpoOutput out = chunk > 0
                        ? ChunkedHead.forward(model.forward(batch.inputIds(), batch.attention(),
                                LlamaModel.Pass.HIDDEN), model.lmHead(), batch, config.beta(), chunk)
                        : OrpoLoss.compute(model.forward(batch.inputIds(), batch.attention(),
                                LlamaModel.Pass.LOGITS), batch, config.beta());
                sums.merge("eval_loss", out.lossValue(), Double::sum);
                out.metrics().forEach((k, v) -> sums.merge("eval_" + k, v, Double::sum));
            }
            batches++;
        }
        Map<String, Double> means = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : sums.entrySet()) {
            means.put(e.getKey(), e.getValue() / batches);
        }
        return means;
    }

    /** The LM head chunk for this batch's shape under {@code logits_chunk_size} (0 = full logits). */
    private int logitsChunk(PreferenceBatch batch) {
        return LogitsChunking.chunkFor(config.logitsChunkSize(), batch.inputIds().getShape().get(0), batch.length(),
                model.lmHead().weight().getShape().get(0));
    }

    private void evaluateAndReport(int step, double epochs, List<Map<String, Object>> history) {
        if (eval.isEmpty()) {
            return;
        }
        Map<String, Double> metrics = evaluate();
        Map<String, Object> logged = entry(metrics, step);
        logged.put("epoch", epochs);
        history.add(logged);
        listeners.forEach(l -> l.onEvaluate(step, metrics));
    }

    private Path save(int step, int perEpoch, Optimizer optimizer, List<Map<String, Object>> history) {
        TrainerState state = new TrainerState(step, totalSteps(), (double) step / perEpoch, step / perEpoch,
                step % perEpoch, train.size(), config.seed(), step, config.asMap(), history);
        Path dir = Checkpoints.write(checkpointsDir, model, baseModel, optimizer, state);
        listeners.forEach(l -> l.onCheckpoint(step, dir));
        return dir;
    }

    /** The step as the config says, for {@code n} micro-batches in this update and this batch's shape. */
    private MicroBatchStep.Options stepOptions(int n, PreferenceBatch batch) {
        return MicroBatchStep.Options.of(config.beta(), n).withGradientCheckpointing(config.gradientCheckpointing())
                .withLogitsChunkSize(logitsChunk(batch));
    }

    private List<PreferencePair> microBatch(int[] order, int micro) {
        int from = micro * config.perDeviceTrainBatchSize();
        return slice(train, order, from, Math.min(from + config.perDeviceTrainBatchSize(), order.length));
    }

    private static long tokens(List<PreferencePair> pairs) {
        long n = 0;
        for (PreferencePair p : pairs) {
            n += p.chosenInputIds().length + p.rejectedInputIds().length;
        }
        return n;
    }

    private static Map<String, Object> entry(Map<String, Double> metrics, int step) {
        Map<String, Object> e = new LinkedHashMap<>(metrics);
        e.put("step", step);
        return e;
    }

    private static void requireSame(String what, long inCheckpoint, long now, Path dir) {
        if (inCheckpoint != now) {
            throw new IllegalArgumentException("cannot resume " + dir + ": it was written with " + what + " "
                    + inCheckpoint + ", this trainer has " + now);
        }
    }
}
