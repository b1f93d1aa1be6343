package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * ORPO and training arguments with TRL's {@code ORPOConfig} names. Defaults are the seed notebook's values where it
 * set one, otherwise TRL/transformers' defaults.
 *
 * @param learningRate              8e-6 (seed)
 * @param beta                      0.1 (seed; the paper's lambda)
 * @param lrSchedulerType           linear (seed) | cosine | constant
 * @param warmupSteps               10 (seed); wins over warmup_ratio when > 0, as transformers
 * @param warmupRatio               0.0 (transformers)
 * @param maxLength                 1024 (seed): prompt + answer tokens
 * @param maxPromptLength           512 (seed)
 * @param perDeviceTrainBatchSize   2 (seed): preference pairs per micro-batch
 * @param perDeviceEvalBatchSize    2 (seed)
 * @param gradientAccumulationSteps 4 (seed)
 * @param numTrainEpochs            1 (seed)
 * @param maxSteps                  -1: derived from epochs (transformers); > 0 overrides epochs
 * @param evalSteps                 0.2 (seed): a fraction (&lt; 1) of total steps, or a step count (≥ 1)
 * @param loggingSteps              1 (seed)
 * @param saveSteps                 500 (transformers; the seed did not set it); fraction or count like eval_steps
 * @param maxGradNorm               1.0 (transformers)
 * @param weightDecay               0.0 (transformers)
 * @param adamBeta1                 0.9 (transformers)
 * @param adamBeta2                 0.999 (transformers)
 * @param adamEpsilon               1e-8 (transformers)
 * @param seed                      42 (transformers)
 * @param promptLoss                true: the NLL term covers the prompt too (TRL's and the ORPO authors' choice);
 *                                  false: completion tokens only
 * @param gradientCheckpointing     false (transformers): true recomputes each decoder layer during the backward pass
 *                                  instead of keeping all layers' activations: same gradients, a lower step peak,
 *                                  ≈ 1.5× the step time (with a frozen base the backward pass costs about one forward,
 *                                  so the recompute adds half). ≠ seed: the seed gets true from PEFT's
 *                                  prepare_model_for_kbit_training, to fit a GPU; on CPU memory is rarely the limit
 * @param logitsChunkSize           0 = auto (default): the LM head runs in chunks when the full (2B, T, V) fp32 logits would
 *                                  exceed 32 MiB, else on full logits; -1 = always full logits (as TRL); &gt; 0 = that
 *                                  many token positions at a time. Not a TRL argument: our addition, like Liger's fused
 *                                  linear cross-entropy; a chunked head uses a hand-written gradient, so the logits
 *                                  never exist at once: same loss, metrics and gradients, a lower step peak and no
 *                                  allocator churn for large vocabularies (the rule: model-core's LogitsChunking)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingArgs(
        Double learningRate,
        Double beta,
        String lrSchedulerType,
        Integer warmupSteps,
        Double warmupRatio,
        Integer maxLength,
        Integer maxPromptLength,
        Integer perDeviceTrainBatchSize,
        Integer perDeviceEvalBatchSize,
        Integer gradientAccumulationSteps,
        Double numTrainEpochs,
        Integer maxSteps,
        Double evalSteps,
        Integer loggingSteps,
        Double saveSteps,
        Double maxGradNorm,
        Double weightDecay,
        Double adamBeta1,
        Double adamBeta2,
        Double adamEpsilon,
        Long seed,
        Boolean promptLoss,
        Boolean gradientCheckpointing,
        Integer logitsChunkSize) {

    public TrainingArgs {
        learningRate = or(learningRate, 8e-6);
        beta = or(beta, 0.1);
        lrSchedulerType = lrSchedulerType == null ? "linear" : lrSchedulerType;
        warmupSteps = or(warmupSteps, 10);
        warmupRatio = or(warmupRatio, 0.0);
        maxLength = or(maxLength, 1024);
        maxPromptLength = or(maxPromptLength, 512);
        perDeviceTrainBatchSize = or(perDeviceTrainBatchSize, 2);
        perDeviceEvalBatchSize = or(perDeviceEvalBatchSize, 2);
        gradientAccumulationSteps = or(gradientAccumulationSteps, 4);
        numTrainEpochs = or(numTrainEpochs, 1.0);
        maxSteps = or(maxSteps, -1);
        evalSteps = or(evalSteps, 0.2);
        loggingSteps = or(loggingSteps, 1);
        saveSteps = or(saveSteps, 500.0);
        maxGradNorm = or(maxGradNorm, 1.0);
        weightDecay = or(weightDecay, 0.0);
        adamBeta1 = or(adamBeta1, 0.9);
        adamBeta2 = or(adamBeta2, 0.999);
        adamEpsilon = or(adamEpsilon, 1e-8);
        seed = or(seed, 42L);
        promptLoss = or(promptLoss, Boolean.TRUE);
        gradientCheckpointing = or(gradientCheckpointing, Boolean.FALSE);
        logitsChunkSize = or(logitsChunkSize, 0);
    }

    public static TrainingArgs defaults() {
        return new TrainingArgs(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    /** Steps between evaluations given the total: fraction of total (rounded up) or a count. */
    public int evalEvery(int totalSteps) {
        return stepsOf(evalSteps, totalSteps);
    }

    /** Steps between checkpoints given the total. */
    public int saveEvery(int totalSteps) {
        return stepsOf(saveSteps, totalSteps);
    }

    private static int stepsOf(double value, int totalSteps) {
        return value < 1 ? Math.max(1, (int) Math.ceil(value * totalSteps)) : (int) value;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
