package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * ORPO and training arguments with TRL's {@code ORPOConfig} names: the one set of training defaults (the trainer's
 * {@code TrainerConfig} takes its defaults from here) and, through {@link RequestValidator#training}, the one set of
 * rules. Defaults are the seed notebook's values where it set one, otherwise TRL/transformers' defaults.
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
 * @param logitsChunkSize           0 = auto (default): the LM head runs in chunks when the full (2B, T, V) fp32 logits
 *                                  would exceed 32 MiB, else on full logits; -1 = always full logits (as TRL); &gt; 0 =
 *                                  that many token positions at a time. Not a TRL argument: our addition, like Liger's
 *                                  fused linear cross-entropy; a chunked head uses a hand-written gradient, so the
 *                                  logits never exist at once: same loss, metrics and gradients, a lower step peak and
 *                                  no allocator churn for large vocabularies (the rule: model-core's LogitsChunking)
 * @param truncationMode            keep_end (TRL's default, the seed's): which end of a too-long prompt survives;
 *                                  keep_start keeps its beginning
 * @param disableDropout            true (TRL's ORPOConfig default): every dropout is zeroed during training, LoRA's
 *                                  included, so the seed trained without its lora_dropout=0.05; false applies
 *                                  lora.lora_dropout
 * @param optim                     adamw_torch (TRL/transformers' default): fp32 AdamW moments; adamw_8bit or
 *                                  paged_adamw_8bit (the seed's): bitsandbytes' block-wise 8-bit AdamW states ("paged"
 *                                  moves CUDA unified memory, which a CPU has no use for: treated as adamw_8bit)
 * @param evalOnStart               false (transformers): evaluate the held-out pairs once before the first update
 * @param batchLayout               prefix_shared (ours, not TRL's): each pair is one row [prompt, chosen, rejected]
 *                                  with a mask that hides the chosen answer from the rejected one, so the prompt is
 *                                  computed once; two_rows is TRL's layout (a chosen and a rejected row per pair);
 *                                  packed also packs a micro-batch's pairs into shared rows. Same loss, metrics and
 *                                  gradients in every layout (TRL's padding-dependent logits/* means aside)
 * @param groupByLength             false (transformers): true puts pairs of similar length in the same micro-batch
 *                                  (transformers' length-grouped sampler), which cuts padding; false keeps TRL's
 *                                  random batches
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
        Integer logitsChunkSize,
        String truncationMode,
        Boolean disableDropout,
        String optim,
        Boolean evalOnStart,
        String batchLayout,
        Boolean groupByLength) {

    /** {@code truncation_mode} values, TRL's. */
    public static final String KEEP_END = "keep_end";
    public static final String KEEP_START = "keep_start";
    /** {@code optim} values accepted: transformers' names for the two AdamW variants the trainer implements. */
    public static final String ADAMW_TORCH = "adamw_torch";
    public static final String ADAMW_8BIT = "adamw_8bit";
    public static final String PAGED_ADAMW_8BIT = "paged_adamw_8bit";
    /** {@code batch_layout} values. */
    public static final String TWO_ROWS = "two_rows";
    public static final String PREFIX_SHARED = "prefix_shared";
    public static final String PACKED = "packed";

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
        truncationMode = or(truncationMode, KEEP_END);
        disableDropout = or(disableDropout, Boolean.TRUE);
        optim = or(optim, ADAMW_TORCH);
        evalOnStart = or(evalOnStart, Boolean.FALSE);
        batchLayout = or(batchLayout, PREFIX_SHARED);
        groupByLength = or(groupByLength, Boolean.FALSE);
    }

    public static TrainingArgs defaults() {
        return new TrainingArgs(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** True for the 8-bit optimizer states ({@code adamw_8bit}, {@code paged_adamw_8bit}). */
    public boolean eightBitOptimizer() {
        return ADAMW_8BIT.equals(optim) || PAGED_ADAMW_8BIT.equals(optim);
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
