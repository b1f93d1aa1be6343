package dev.orpo.model.train;

import dev.orpo.contracts.request.InvalidRequestException;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.model.orpo.BatchLayout;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Hyper-parameters of {@link OrpoTrainer}, under TRL {@code ORPOConfig} / HF {@code TrainingArguments} names (given
 * per field): the trainer's typed view of a request's {@link TrainingArgs}, which owns the defaults ({@link #defaults()}
 * is {@code of(TrainingArgs.defaults())}: the seed recipe's values where it set one, else TRL/transformers') and,
 * through {@link RequestValidator#trainingErrors}, the rules: a config is valid exactly when its request section
 * validates, so a request that passed {@code orpo submit} never fails here.
 *
 * @param learningRate              {@code learning_rate}, peak AdamW rate; 8e-6 (seed)
 * @param beta                      {@code beta}, the paper's λ weighting the odds-ratio term; 0.1 (seed)
 * @param lrSchedulerType           {@code lr_scheduler_type}; linear (seed)
 * @param warmupSteps               {@code warmup_steps}; 10 (seed); wins over the ratio when &gt; 0
 * @param warmupRatio               {@code warmup_ratio}; 0.0 (transformers)
 * @param perDeviceTrainBatchSize   {@code per_device_train_batch_size}, pairs per micro-batch; 2 (seed)
 * @param perDeviceEvalBatchSize    {@code per_device_eval_batch_size}; 2 (seed)
 * @param gradientAccumulationSteps {@code gradient_accumulation_steps}, micro-batches per update; 4 (seed)
 * @param numTrainEpochs            {@code num_train_epochs} (fractions allowed, as HF); 1 (seed)
 * @param maxSteps                  {@code max_steps}; −1 = from epochs (transformers); &gt; 0 overrides epochs
 * @param evalSteps                 {@code eval_steps}: a fraction (&lt; 1) of the total steps, rounded up, or a count;
 *                                  0.2 (seed)
 * @param loggingSteps              {@code logging_steps}; 1 (seed)
 * @param saveSteps                 {@code save_steps}, fraction or count like eval_steps; 500 (transformers)
 * @param maxGradNorm               {@code max_grad_norm}; 1.0 (transformers); 0 disables clipping
 * @param weightDecay               {@code weight_decay}; 0.0 (transformers)
 * @param adamBeta1                 {@code adam_beta1}; 0.9 (transformers)
 * @param adamBeta2                 {@code adam_beta2}; 0.999 (transformers)
 * @param adamEpsilon               {@code adam_epsilon}; 1e-8 (transformers)
 * @param seed                      {@code seed}: data order and dropout; 42 (transformers)
 * @param promptLoss                NLL over the prompt too (TRL and the ORPO authors); true
 * @param evalOnStart               {@code eval_on_start}: evaluate before the first update; false (transformers)
 * @param gradientCheckpointing     {@code gradient_checkpointing}: recompute each decoder layer in the backward pass
 *                                  instead of keeping every layer's activations ({@link MicroBatchStep#checkpointed});
 *                                  same gradients, lower peak memory, one more forward pass per step; false
 *                                  (transformers; the seed gets true from PEFT's prepare_model_for_kbit_training, but
 *                                  on CPU memory is rarely the limit and the recompute made steps ≈ 1.5× slower,
 *                                  docs/benchmarks.md)
 * @param logitsChunkSize           {@code logits_chunk_size} (our addition, not a TRL/transformers argument; the idea
 *                                  of Liger's fused linear cross-entropy): project the LM head and take the
 *                                  log-softmax this many token positions at a time, with a hand-written gradient
 *                                  ({@link ChunkedHead}), so the (2B, T, V) logits never exist at once; same loss,
 *                                  metrics and gradients. -1 = full logits (as TRL); 0 = auto, the default: chunked
 *                                  when the full logits would exceed 32 MiB ({@link LogitsChunking}, which states why)
 * @param disableDropout            {@code disable_dropout} (TRL's ORPOConfig): no dropout while training, LoRA's
 *                                  included; true (TRL's default, what the seed ran with)
 * @param optim                     {@code optim}: adamw_torch (fp32 moments, transformers' default) or adamw_8bit /
 *                                  paged_adamw_8bit ({@link AdamW8bit}: bitsandbytes' block-wise 8-bit moments; the
 *                                  seed's paged_adamw_8bit)
 * @param batchLayout               {@code batch_layout} (ours): how a micro-batch's pairs become rows
 *                                  ({@link BatchLayout}); prefix_shared by default: each prompt computed once, with
 *                                  the loss, metrics and gradients of TRL's two_rows (BatchLayoutEquivalenceTest)
 * @param groupByLength             {@code group_by_length} (transformers): pairs of similar length share micro-batches
 *                                  ({@link DataOrder#groupedByLength}), so rows carry little padding; false
 *                                  (transformers' default), so the batches are TRL's
 */
public record TrainerConfig(
        double learningRate,
        double beta,
        LrSchedule.Kind lrSchedulerType,
        int warmupSteps,
        double warmupRatio,
        int perDeviceTrainBatchSize,
        int perDeviceEvalBatchSize,
        int gradientAccumulationSteps,
        double numTrainEpochs,
        int maxSteps,
        double evalSteps,
        int loggingSteps,
        double saveSteps,
        double maxGradNorm,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        long seed,
        boolean promptLoss,
        boolean evalOnStart,
        boolean gradientCheckpointing,
        int logitsChunkSize,
        boolean disableDropout,
        String optim,
        BatchLayout batchLayout,
        boolean groupByLength) {

    public TrainerConfig {
        if (lrSchedulerType == null) {
            throw new IllegalArgumentException("training.lr_scheduler_type: is required");
        }
        // the request's rules, the only copy (max_length, max_prompt_length, truncation_mode: data preparation's)
        InvalidRequestException.throwIfAny(RequestValidator.trainingErrors(new TrainingArgs(learningRate, beta,
                lrSchedulerType.hfName(), warmupSteps, warmupRatio, null, null, perDeviceTrainBatchSize,
                perDeviceEvalBatchSize, gradientAccumulationSteps, numTrainEpochs, maxSteps, evalSteps, loggingSteps,
                saveSteps, maxGradNorm, weightDecay, adamBeta1, adamBeta2, adamEpsilon, seed, promptLoss,
                gradientCheckpointing, logitsChunkSize, null, disableDropout, optim, evalOnStart,
                batchLayout == null ? "" : batchLayout.configName(), groupByLength)));
    }

    /** A request's training section, TRL-named, as the trainer's config (it validates with the same rules). */
    public static TrainerConfig of(TrainingArgs a) {
        InvalidRequestException.throwIfAny(RequestValidator.trainingErrors(a));
        return new TrainerConfig(a.learningRate(), a.beta(), LrSchedule.Kind.parse(a.lrSchedulerType()),
                a.warmupSteps(), a.warmupRatio(), a.perDeviceTrainBatchSize(), a.perDeviceEvalBatchSize(),
                a.gradientAccumulationSteps(), a.numTrainEpochs(), a.maxSteps(), a.evalSteps(), a.loggingSteps(),
                a.saveSteps(), a.maxGradNorm(), a.weightDecay(), a.adamBeta1(), a.adamBeta2(), a.adamEpsilon(),
                a.seed(), a.promptLoss(), a.evalOnStart(), a.gradientCheckpointing(), a.logitsChunkSize(),
                a.disableDropout(), a.optim(), BatchLayout.parse(a.batchLayout()), a.groupByLength());
    }

    /** The request's defaults ({@link TrainingArgs#defaults()}: the seed recipe's values, else TRL's). */
    public static TrainerConfig defaults() {
        return of(TrainingArgs.defaults());
    }

    /** True for bitsandbytes-style 8-bit optimizer states ({@code adamw_8bit}, {@code paged_adamw_8bit}). */
    public boolean eightBitOptimizer() {
        return TrainingArgs.ADAMW_8BIT.equals(optim) || TrainingArgs.PAGED_ADAMW_8BIT.equals(optim);
    }

    /** The optimizer's part of this config. */
    public AdamW.Config adam() {
        return new AdamW.Config(adamBeta1, adamBeta2, adamEpsilon, weightDecay);
    }

    /** Optimizer updates: {@code max_steps} if set, else {@code ceil(epochs · ceil(rows / (batch · accum)))}. */
    public int totalSteps(int trainRows) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        return (int) Math.ceil(numTrainEpochs * stepsPerEpoch(trainRows));
    }

    /** Optimizer updates per pass over the data: {@code ceil(rows / (batch · accum))}. */
    public int stepsPerEpoch(int trainRows) {
        if (trainRows < 1) {
            throw new IllegalArgumentException("training data is empty");
        }
        return ceilDiv(microBatchesPerEpoch(trainRows), gradientAccumulationSteps);
    }

    /** Micro-batches per pass: {@code ceil(rows / batch)} (the last may be smaller, as HF's drop_last=False). */
    public int microBatchesPerEpoch(int trainRows) {
        return ceilDiv(trainRows, perDeviceTrainBatchSize);
    }

    /** Updates between evaluations for a run of {@code totalSteps}. */
    public int evalEvery(int totalSteps) {
        return every(evalSteps, totalSteps);
    }

    /** Updates between checkpoints for a run of {@code totalSteps}. */
    public int saveEvery(int totalSteps) {
        return every(saveSteps, totalSteps);
    }

    /** Warmup updates for a run of {@code totalSteps} (explicit steps win over the ratio, as transformers). */
    public LrSchedule schedule(int totalSteps) {
        return new LrSchedule(lrSchedulerType, learningRate, LrSchedule.warmupSteps(warmupSteps, warmupRatio,
                totalSteps), totalSteps);
    }

    /** This config as HF-named values (for trainer_state.json and logs). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("learning_rate", learningRate);
        m.put("beta", beta);
        m.put("lr_scheduler_type", lrSchedulerType.hfName());
        m.put("warmup_steps", warmupSteps);
        m.put("warmup_ratio", warmupRatio);
        m.put("per_device_train_batch_size", perDeviceTrainBatchSize);
        m.put("per_device_eval_batch_size", perDeviceEvalBatchSize);
        m.put("gradient_accumulation_steps", gradientAccumulationSteps);
        m.put("num_train_epochs", numTrainEpochs);
        m.put("max_steps", maxSteps);
        m.put("eval_steps", evalSteps);
        m.put("logging_steps", loggingSteps);
        m.put("save_steps", saveSteps);
        m.put("max_grad_norm", maxGradNorm);
        m.put("weight_decay", weightDecay);
        m.put("adam_beta1", adamBeta1);
        m.put("adam_beta2", adamBeta2);
        m.put("adam_epsilon", adamEpsilon);
        m.put("seed", seed);
        m.put("prompt_loss", promptLoss);
        m.put("eval_on_start", evalOnStart);
        m.put("gradient_checkpointing", gradientCheckpointing);
        m.put("logits_chunk_size", logitsChunkSize);
        m.put("disable_dropout", disableDropout);
        m.put("optim", optim);
        m.put("batch_layout", batchLayout.configName());
        m.put("group_by_length", groupByLength);
        return m;
    }

    /**
     * A copy with one field replaced, by its HF/TRL name ({@code learning_rate=1e-4}); unknown names and unparsable
     * values fail naming the key.
     */
    public TrainerConfig with(String key, String value) {
        Map<String, Object> m = asMap();
        String k = key.trim().toLowerCase(Locale.ROOT);
        if (!m.containsKey(k)) {
            throw new IllegalArgumentException("unknown training setting '" + key + "'; known: " + m.keySet());
        }
        Object old = m.get(k);
        String v = value.trim();
        try {
            if (old instanceof Double) {
                m.put(k, Double.parseDouble(v));
            } else if (old instanceof Integer) {
                m.put(k, Integer.parseInt(v));
            } else if (old instanceof Long) {
                m.put(k, Long.parseLong(v));
            } else if (old instanceof Boolean) {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw new NumberFormatException("not true/false");
                }
                m.put(k, Boolean.parseBoolean(v));
            } else {
                m.put(k, v);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("training setting " + k + "='" + value + "' is not a valid "
                    + old.getClass().getSimpleName().toLowerCase(Locale.ROOT), e);
        }
        return fromMap(m);
    }

    private static TrainerConfig fromMap(Map<String, Object> m) {
        return new TrainerConfig((double) m.get("learning_rate"), (double) m.get("beta"),
                LrSchedule.Kind.parse((String) m.get("lr_scheduler_type")), (int) m.get("warmup_steps"),
                (double) m.get("warmup_ratio"), (int) m.get("per_device_train_batch_size"),
                (int) m.get("per_device_eval_batch_size"), (int) m.get("gradient_accumulation_steps"),
                (double) m.get("num_train_epochs"), (int) m.get("max_steps"), (double) m.get("eval_steps"),
                (int) m.get("logging_steps"), (double) m.get("save_steps"), (double) m.get("max_grad_norm"),
                (double) m.get("weight_decay"), (double) m.get("adam_beta1"), (double) m.get("adam_beta2"),
                (double) m.get("adam_epsilon"), (long) m.get("seed"), (boolean) m.get("prompt_loss"),
                (boolean) m.get("eval_on_start"), (boolean) m.get("gradient_checkpointing"),
                (int) m.get("logits_chunk_size"), (boolean) m.get("disable_dropout"), (String) m.get("optim"),
                BatchLayout.parse((String) m.get("batch_layout")), (boolean) m.get("group_by_length"));
    }

    private static int every(double value, int totalSteps) {
        return value < 1 ? Math.max(1, (int) Math.ceil(value * totalSteps)) : (int) value;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
