package dev.orpo.contracts.request;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link TrainingRequest}: one {@link FieldError} per bad field, all of them at once, so a user fixes a request
 * in one go. An empty list means valid.
 */
public final class RequestValidator {
    private static final Set<String> DATASET_SCHEMES = Set.of("file", "s3", "hf");
    private static final Set<String> FORMATS = Set.of("auto", "parquet", "jsonl", "json");
    private static final Set<String> SCHEDULERS = Set.of("linear", "cosine", "constant", "constant_with_warmup");
    private static final Set<String> DTYPES = Set.of("float16", "bfloat16", "float32");
    private static final Set<String> TARGETS = Set.copyOf(LoraSpec.ALL_LINEAR);
    private static final Set<String> SAVABLE = Set.of("embed_tokens", "lm_head");
    private static final Set<String> TRUNCATION_MODES = Set.of(TrainingArgs.KEEP_END, TrainingArgs.KEEP_START);
    private static final Set<String> OPTIMIZERS =
            Set.of(TrainingArgs.ADAMW_TORCH, TrainingArgs.ADAMW_8BIT, TrainingArgs.PAGED_ADAMW_8BIT);
    private static final Set<String> BATCH_LAYOUTS =
            Set.of(TrainingArgs.TWO_ROWS, TrainingArgs.PREFIX_SHARED, TrainingArgs.PACKED);
    /** Hub repo ids as the hub names them: {@code [namespace/]name}, letters, digits, - _ . (≤ 96 per part). */
    private static final Pattern HUB_REPO_ID =
            Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}");

    private final List<FieldError> errors = new ArrayList<>();

    private RequestValidator() {
    }

    /** The {@code training} section alone (what the trainer's config checks itself with). */
    public static List<FieldError> trainingErrors(TrainingArgs training) {
        var v = new RequestValidator();
        v.training(training);
        return List.copyOf(v.errors);
    }

    /** The {@code lora} section alone (what the LoRA config checks itself with). */
    public static List<FieldError> loraErrors(LoraSpec lora) {
        var v = new RequestValidator();
        v.lora(lora);
        return List.copyOf(v.errors);
    }

    public static List<FieldError> validate(TrainingRequest request) {
        var v = new RequestValidator();
        if (request == null) {
            v.fail("", "request is empty");
            return v.errors;
        }
        v.model(request.model());
        v.dataset(request.dataset());
        v.chatTemplate(request.chatTemplate());
        v.lora(request.lora());
        v.quantization(request.quantization());
        v.training(request.training());
        v.merge(request.merge());
        v.eval(request.eval());
        return List.copyOf(v.errors);
    }

    private void model(ModelSpec m) {
        if (m == null || blank(m.nameOrPath())) {
            fail("model.name_or_path", "is required (HF model directory, s3:// URI or hub id)");
        }
        if (m != null && m.mirrorUri() != null && !m.mirrorUri().startsWith("s3://")) {
            fail("model.mirror_uri", "must be an s3:// URI (it is set by dataset-service; leave it out)");
        }
    }

    private void dataset(DatasetSpec d) {
        if (d == null || blank(d.uri())) {
            fail("dataset.uri", "is required (path, s3://bucket/key or hf://datasets/org/name)");
            return;
        }
        String scheme = schemeOf(d.uri());
        if (scheme != null && !DATASET_SCHEMES.contains(scheme)) {
            fail("dataset.uri", "scheme " + scheme + " not allowed (use a path, s3:// or hf://datasets/)");
        }
        if ("hf".equals(scheme) && !d.uri().startsWith("hf://datasets/")) {
            fail("dataset.uri", "hub datasets are written hf://datasets/<org>/<name>");
        }
        oneOf("dataset.format", d.format(), FORMATS);
        if (d.select() != null && d.select() <= 0) {
            fail("dataset.select", "must be > 0 (or absent to keep all rows)");
        }
        if (d.testSize() < 0 || (d.testSize() >= 1 && d.testSize() != Math.rint(d.testSize()))) {
            fail("dataset.test_size", "must be a fraction in [0, 1) or a whole row count");
        }
        var f = d.filters();
        if (f.minChars() < 0) {
            fail("dataset.filters.min_chars", "must be >= 0");
        }
        if (f.maxChars() != null && f.maxChars() <= f.minChars()) {
            fail("dataset.filters.max_chars", "must be > min_chars");
        }
        var c = d.columns();
        if (blank(c.chosen())) {
            fail("dataset.columns.chosen", "must not be blank");
        }
        if (blank(c.rejected())) {
            fail("dataset.columns.rejected", "must not be blank");
        }
    }

    private void chatTemplate(ChatTemplateSpec t) {
        oneOf("chat_template.mode", t.mode(), Set.of(ChatTemplateSpec.MODEL, ChatTemplateSpec.CHATML));
    }

    private void lora(LoraSpec l) {
        if (l.r() <= 0) {
            fail("lora.r", "must be > 0");
        }
        positiveFinite("lora.lora_alpha", l.loraAlpha());
        if (!(l.loraDropout() >= 0 && l.loraDropout() < 1)) {
            fail("lora.lora_dropout", "must be in [0, 1)");
        }
        if (l.targetModules().isEmpty()) {
            fail("lora.target_modules", "must name at least one of " + LoraSpec.ALL_LINEAR);
        }
        for (int i = 0; i < l.targetModules().size(); i++) {
            if (!TARGETS.contains(l.targetModules().get(i))) {
                fail("lora.target_modules[" + i + "]", "unknown module " + l.targetModules().get(i)
                        + " (one of " + LoraSpec.ALL_LINEAR + ")");
            }
        }
        if (l.modulesToSave() != null) {
            for (int i = 0; i < l.modulesToSave().size(); i++) {
                String m = l.modulesToSave().get(i);
                if (!SAVABLE.contains(m)) {
                    fail("lora.modules_to_save[" + i + "]", "unknown module " + m + " (one of " + SAVABLE + ")");
                } else if (l.modulesToSave().indexOf(m) < i) {
                    fail("lora.modules_to_save[" + i + "]", "duplicate module " + m);
                }
            }
        }
    }

    private void quantization(QuantizationSpec q) {
        oneOf("quantization.mode", q.mode(), Set.of(QuantizationSpec.NONE, QuantizationSpec.NF4));
        if (q.blockSize() < 2 || (q.blockSize() & (q.blockSize() - 1)) != 0) {
            fail("quantization.block_size", "must be a power of two ≥ 2 (whole blocks fill whole bytes of 4-bit codes)");
        }
    }

    /**
     * The rules of the {@code training} section, the only copy: the trainer's config ({@code TrainerConfig}) checks
     * itself with these, so a request that validates never fails later on a training rule. Each follows what
     * transformers / torch accept.
     */
    private void training(TrainingArgs t) {
        nonNegativeFinite("training.learning_rate", t.learningRate()); // torch AdamW: lr >= 0
        nonNegativeFinite("training.beta", t.beta()); // 0: the odds-ratio term is off (SFT only)
        oneOf("training.lr_scheduler_type", t.lrSchedulerType(), SCHEDULERS);
        atLeast("training.warmup_steps", t.warmupSteps(), 0);
        if (!(t.warmupRatio() >= 0 && t.warmupRatio() <= 1)) {
            fail("training.warmup_ratio", "must be in [0, 1]"); // transformers' rule
        }
        atLeast("training.max_length", t.maxLength(), 2);
        atLeast("training.max_prompt_length", t.maxPromptLength(), 1);
        if (t.maxPromptLength() >= t.maxLength()) {
            fail("training.max_prompt_length", "must be < max_length (" + t.maxLength() + ")");
        }
        oneOf("training.truncation_mode", t.truncationMode(), TRUNCATION_MODES);
        atLeast("training.per_device_train_batch_size", t.perDeviceTrainBatchSize(), 1);
        atLeast("training.per_device_eval_batch_size", t.perDeviceEvalBatchSize(), 1);
        atLeast("training.gradient_accumulation_steps", t.gradientAccumulationSteps(), 1);
        if (t.maxSteps() != -1 && t.maxSteps() < 1) {
            fail("training.max_steps", "must be -1 (derive from num_train_epochs) or >= 1");
        }
        if (!Double.isFinite(t.numTrainEpochs()) || (t.maxSteps() == -1 && !(t.numTrainEpochs() > 0))) {
            fail("training.num_train_epochs", "must be > 0 when max_steps is not set");
        }
        stepsOrFraction("training.eval_steps", t.evalSteps());
        atLeast("training.logging_steps", t.loggingSteps(), 1);
        stepsOrFraction("training.save_steps", t.saveSteps());
        nonNegativeFinite("training.max_grad_norm", t.maxGradNorm()); // 0 turns clipping off, as transformers
        nonNegativeFinite("training.weight_decay", t.weightDecay());
        if (!(t.adamBeta1() >= 0 && t.adamBeta1() < 1)) {
            fail("training.adam_beta1", "must be in [0, 1)");
        }
        if (!(t.adamBeta2() >= 0 && t.adamBeta2() < 1)) {
            fail("training.adam_beta2", "must be in [0, 1)");
        }
        positiveFinite("training.adam_epsilon", t.adamEpsilon());
        atLeast("training.logits_chunk_size", t.logitsChunkSize(), -1); // -1 full, 0 auto, N chunk
        oneOf("training.optim", t.optim(), OPTIMIZERS);
        oneOf("training.batch_layout", t.batchLayout(), BATCH_LAYOUTS);
    }

    private void merge(MergeSpec m) {
        if (m.pushToHub() != null && !HUB_REPO_ID.matcher(m.pushToHub()).matches()) {
            fail("merge.push_to_hub", "must be a hub repo id [namespace/]name (letters, digits, - _ .), was "
                    + m.pushToHub());
        }
        if (m.dtype() != null) {
            oneOf("merge.dtype", m.dtype(), DTYPES);
        }
        for (int i = 0; i < m.steps().size(); i++) {
            if (m.steps().get(i) == null || m.steps().get(i) <= 0) {
                fail("merge.steps[" + i + "]", "must be a step > 0");
            }
        }
    }

    private void eval(EvalSpec e) {
        atLeast("eval.num_fewshot", e.numFewshot(), 0);
        if (e.limit() != null && e.limit() <= 0) {
            fail("eval.limit", "must be > 0 (or absent for all examples)");
        }
        atLeast("eval.max_new_tokens", e.maxNewTokens(), 1);
        for (int i = 0; i < e.tasks().size(); i++) {
            if (blank(e.tasks().get(i))) {
                fail("eval.tasks[" + i + "]", "must not be blank");
            }
        }
        if (e.suite() != null) {
            List<String> unknown = EvalSuites.unknown(e.suite());
            if (blank(e.suite().replace(",", ""))) {
                fail("eval.suite", "must name a suite or task (e.g. nous), or be absent");
            } else if (!unknown.isEmpty()) {
                fail("eval.suite", "unknown suite or task " + unknown + "; suites: " + EvalSuites.SUITES
                        + ", tasks: lm-eval names (docs/eval-tasks.md)");
            }
        }
        String scheme = schemeOf(e.dataDir());
        if (scheme != null && !scheme.equals("s3") && !e.dataDir().replaceAll("/+$", "").equals(EvalSpec.HUB)) {
            fail("eval.data_dir", "must be a local directory, s3://bucket/prefix or " + EvalSpec.HUB + ", was "
                    + e.dataDir());
        }
    }

    private static String schemeOf(String uri) {
        int colon = uri.indexOf("://");
        if (colon <= 0) {
            return null;
        }
        try {
            return URI.create(uri.replace(" ", "%20")).getScheme();
        } catch (IllegalArgumentException e) {
            return uri.substring(0, colon);
        }
    }

    private void oneOf(String path, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            fail(path, "must be one of " + new java.util.TreeSet<>(allowed) + ", was " + value);
        }
    }

    private void positiveFinite(String path, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            fail(path, "must be > 0 (and finite)");
        }
    }

    private void nonNegativeFinite(String path, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            fail(path, "must be >= 0 (and finite)");
        }
    }

    /** eval_steps / save_steps: a fraction of the run's steps in (0, 1), or a whole step count (transformers' rule). */
    private void stepsOrFraction(String path, double value) {
        if (!(value > 0) || Double.isInfinite(value) || (value >= 1 && value != Math.rint(value))) {
            fail(path, "must be a fraction in (0, 1) or a whole step count >= 1");
        }
    }

    private void atLeast(String path, int value, int min) {
        if (value < min) {
            fail(path, "must be >= " + min);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private void fail(String path, String reason) {
        errors.add(new FieldError(path, reason));
    }
}
