package dev.orpo.model.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Hyper-parameters of {@link OrpoTrainer}, under TRL {@code ORPOConfig} / HF {@code TrainingArguments} names (given
 * per field). {@link #defaults()} are the seed recipe's ("Fine-tune Llama 3 with ORPO") where it set a value, else
 * transformers' defaults; the same values as {@code dev.orpo.contracts.request.TrainingArgs}.
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
        int logitsChunkSize) {

    public TrainerConfig {
        require(learningRate >= 0 && Double.isFinite(learningRate), "learning_rate", learningRate, ">= 0");
        require(beta >= 0 && Double.isFinite(beta), "beta", beta, ">= 0");
        if (lrSchedulerType == null) {
            throw new IllegalArgumentException("lr_scheduler_type is required");
        }
        require(warmupSteps >= 0, "warmup_steps", warmupSteps, ">= 0");
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", warmupRatio, "in [0, 1]");
        require(perDeviceTrainBatchSize >= 1, "per_device_train_batch_size", perDeviceTrainBatchSize, ">= 1");
        require(perDeviceEvalBatchSize >= 1, "per_device_eval_batch_size", perDeviceEvalBatchSize, ">= 1");
        require(gradientAccumulationSteps >= 1, "gradient_accumulation_steps", gradientAccumulationSteps, ">= 1");
        require(numTrainEpochs > 0 && Double.isFinite(numTrainEpochs), "num_train_epochs", numTrainEpochs, "> 0");
        require(maxSteps == -1 || maxSteps >= 1, "max_steps", maxSteps, "-1 or >= 1");
        require(evalSteps > 0 && Double.isFinite(evalSteps) && (evalSteps < 1 || evalSteps == Math.rint(evalSteps)),
                "eval_steps", evalSteps, "a fraction in (0, 1) or a whole count >= 1");
        require(loggingSteps >= 1, "logging_steps", loggingSteps, ">= 1");
        require(saveSteps > 0 && Double.isFinite(saveSteps) && (saveSteps < 1 || saveSteps == Math.rint(saveSteps)),
                "save_steps", saveSteps, "a fraction in (0, 1) or a whole count >= 1");
        require(logitsChunkSize >= LogitsChunking.FULL, "logits_chunk_size", logitsChunkSize,
                "-1 (full logits), 0 (auto) or a chunk size >= 1");
        require(maxGradNorm >= 0 && Double.isFinite(maxGradNorm), "max_grad_norm", maxGradNorm, ">= 0");
        new AdamW.Config(adamBeta1, adamBeta2, adamEpsilon, weightDecay); // validates the optimizer fields
    }

    /** The seed recipe's values (see the field docs for each default's origin). */
    public static TrainerConfig defaults() {
        return new TrainerConfig(8e-6, 0.1, LrSchedule.Kind.LINEAR, 10, 0.0, 2, 2, 4, 1.0, -1, 0.2, 1, 500, 1.0,
                0.0, 0.9, 0.999, 1e-8, 42L, true, false, false, 0);
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
                (int) m.get("logits_chunk_size"));
    }

    private static int every(double value, int totalSteps) {
        return value < 1 ? Math.max(1, (int) Math.ceil(value * totalSteps)) : (int) value;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void require(boolean ok, String name, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + rule + ", got " + value);
        }
    }
}
