package dev.orpo.stages.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.orpo.contracts.request.LoraSpec;
import dev.orpo.contracts.request.QuantizationSpec;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.BatchLayout;
import dev.orpo.model.quant.Nf4Config;
import dev.orpo.model.quant.Nf4Storage;
import dev.orpo.model.train.LrSchedule;
import dev.orpo.model.train.OrpoTrainer;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainResult;
import dev.orpo.model.train.TrainerConfig;
import dev.orpo.model.train.TrainerListener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The training stage as a library: one {@link TrainingRequest} + a local base model + a prepared dataset directory →
 * ORPO LoRA training with {@link OrpoTrainer}, checkpoints under {@code outputDir/checkpoints/step-<n>/}, progress
 * through a {@link TrainStageListener}. trainer-service and {@code orpo train} both call it, so equal inputs and seed
 * give byte-identical adapters.
 */
public final class TrainStage {

    /**
     * @param baseModelDir      HF model directory (config.json + safetensors)
     * @param baseModelName     written to adapter_config.json as base_model_name_or_path (the request's model name)
     * @param preparedDir       the prepared dataset ({@link PreparedDataset})
     * @param preparedVocabSize the run's tokenizer size after chat-template setup (DatasetPrepared.vocab_size); the
     *                          embeddings are resized to it when larger than the model's; 0 = unknown, keep the model's
     * @param outputDir         checkpoints go to {@code outputDir/checkpoints/}
     * @param resumeFrom        a {@code step-<n>} checkpoint to continue exactly, or null for a fresh start
     */
    public record Inputs(Path baseModelDir, String baseModelName, Path preparedDir, int preparedVocabSize,
                         Path outputDir, Path resumeFrom) {
    }

    /**
     * How the run ended.
     *
     * @param result          the trainer's result (final step, cancelled, final checkpoint dir, log history)
     * @param finalMetrics    the last training log metrics and the held-out {@code eval_} metrics at the final step
     * @param durationSeconds wall time of this call (since resume, when resumed)
     */
    public record Outcome(TrainResult result, Map<String, Double> finalMetrics, double durationSeconds) {
    }

    private TrainStage() {
    }

    /** Trains the run to its end or until {@code cancel} answers true (checked before every update). */
    public static Outcome run(TrainingRequest request, Inputs in, TrainStageListener listener, BooleanSupplier cancel) {
        checkSupported(request);
        TrainerConfig config = trainerConfig(request.training());
        return run(config, loraConfig(request.lora(), config.seed()), request.quantization(), in, listener, cancel);
    }

    /** {@link #run(TrainerConfig, LoraConfig, QuantizationSpec, Inputs, TrainStageListener, BooleanSupplier)} fp32. */
    public static Outcome run(TrainerConfig config, LoraConfig lora, Inputs in, TrainStageListener listener,
                              BooleanSupplier cancel) {
        return run(config, lora, QuantizationSpec.defaults(), in, listener, cancel);
    }

    /**
     * The same with settings already mapped ({@code orpo train --set} edits them); {@link #run(TrainingRequest,
     * Inputs, TrainStageListener, BooleanSupplier)} with {@link #trainerConfig} and {@link #loraConfig} of a request
     * is exactly this call. {@code quantization} nf4 stores the frozen projections as NF4 (QLoRA); adapters are
     * trained and saved in PEFT format as with fp32.
     */
    public static Outcome run(TrainerConfig config, LoraConfig lora, QuantizationSpec quantization, Inputs in,
                              TrainStageListener listener, BooleanSupplier cancel) {
        long started = System.nanoTime();
        WeightStorage base = frozenWeights(quantization);
        gradModeOffOnThisThread();
        PreparedDataset data = PreparedDataset.read(in.preparedDir());
        if (!Files.isRegularFile(in.baseModelDir().resolve("config.json"))) {
            throw new StageFailure("model.name_or_path", "base model " + in.baseModelDir() + " has no config.json");
        }
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(in.baseModelDir(), manager, base)) {
            int vocab = model.config().vocabSize();
            // the chat-template setup grew the tokenizer: new rows for its tokens (trained, saved as modules_to_save)
            if (in.preparedVocabSize() > vocab) {
                model.resizeTokenEmbeddings(in.preparedVocabSize());
            }
            if (data.maxId() >= model.config().vocabSize()) {
                throw new StageFailure("dataset_uri", "prepared dataset has token id " + data.maxId()
                        + " but the model has " + model.config().vocabSize() + " embedding rows (vocab_size "
                        + in.preparedVocabSize() + ")");
            }
            model.applyLora(lora);
            OrpoTrainer trainer = new OrpoTrainer(model, config, data.train(), data.test(), in.outputDir(),
                    in.baseModelName());
            Relay relay = new Relay(listener, trainer.totalSteps(), cancel);
            trainer.addListener(relay).cancelWhen(cancel);
            int resumed = in.resumeFrom() == null ? 0 : stepOf(in.resumeFrom());
            long trainable = 0;
            for (NDArray p : TrainableTensors.of(model).values()) {
                trainable += p.size();
            }
            listener.onStarted(trainer.totalSteps(), resumed, Engine.getInstance().defaultDevice().toString(),
                    trainable, baseParameters(model.config()) + loraParameters(model, trainable));
            TrainResult result = in.resumeFrom() == null ? trainer.train() : trainer.resume(in.resumeFrom());
            // held-out metrics of the final adapter, unless the trainer just evaluated at this step
            if (!data.test().isEmpty() && relay.lastEvalStep != result.step()) {
                Map<String, Double> eval = trainer.evaluate();
                relay.latest.putAll(eval);
                listener.onEvaluate(result.step(), relay.epoch(result.step(), data.train().size(), config), eval);
            }
            if (result.cancelled() && relay.lastFinalStep != result.step()) {
                listener.onCheckpoint(result.step(), result.finalCheckpoint(), true, Map.copyOf(relay.latest));
            }
            Outcome outcome = new Outcome(result, Map.copyOf(relay.latest), (System.nanoTime() - started) / 1e9);
            listener.onCompleted(outcome);
            return outcome;
        }
    }

    /**
     * PyTorch's grad mode is per thread and on by default; DJL turns it off only on the thread that loaded the engine,
     * and a GradientCollector restores the mode it found. On any other thread (a service's worker) the optimizer's
     * in-place update of a leaf would then fail ("a leaf Variable that requires grad is being used in an in-place
     * operation"), so the calling thread starts with grad mode off, as the engine's own thread does.
     */
    public static void gradModeOffOnThisThread() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        }
    }

    /** Options the request may name but this implementation cannot honour fail here, never silently. */
    public static void checkSupported(TrainingRequest request) {
        frozenWeights(request.quantization());
    }

    /** How the frozen base projections are stored: fp32 ({@code none}) or NF4 ({@code nf4}, the seed's QLoRA). */
    public static WeightStorage frozenWeights(QuantizationSpec q) {
        if (QuantizationSpec.NONE.equals(q.mode())) {
            return WeightStorage.DENSE;
        }
        if (!QuantizationSpec.NF4.equals(q.mode())) {
            throw new StageFailure("quantization.mode", "unknown quantization.mode '" + q.mode() + "' (none | nf4)");
        }
        try {
            return new Nf4Storage(new Nf4Config(q.blockSize(), q.doubleQuant()));
        } catch (IllegalArgumentException e) {
            throw new StageFailure("quantization.block_size", "quantization." + e.getMessage(), e);
        }
    }

    /** The request's TRL-named training arguments (max_length / max_prompt_length were applied by data prep). */
    public static TrainerConfig trainerConfig(TrainingArgs a) {
        try {
            return new TrainerConfig(a.learningRate(), a.beta(), LrSchedule.Kind.parse(a.lrSchedulerType()),
                    a.warmupSteps(), a.warmupRatio(), a.perDeviceTrainBatchSize(), a.perDeviceEvalBatchSize(),
                    a.gradientAccumulationSteps(), a.numTrainEpochs(), a.maxSteps(), a.evalSteps(),
                    a.loggingSteps(), a.saveSteps(), a.maxGradNorm(), a.weightDecay(), a.adamBeta1(), a.adamBeta2(),
                    a.adamEpsilon(), a.seed(), a.promptLoss(), false, a.gradientCheckpointing(),
                    a.logitsChunkSize(), BatchLayout.PREFIX_SHARED, false, a.maxLength());
        } catch (IllegalArgumentException e) {
            throw new StageFailure("training", "training." + e.getMessage(), e);
        }
    }

    /**
     * The request's PEFT-named LoRA section. {@code modules_to_save} is decided by the data: embed_tokens and lm_head
     * are trained and saved exactly when the chat-template setup grew the vocabulary; other lists are refused.
     */
    public static LoraConfig loraConfig(LoraSpec spec, long seed) {
        if (spec.modulesToSave() != null && !spec.modulesToSave().isEmpty()) {
            throw new StageFailure("lora.modules_to_save", "lora.modules_to_save " + spec.modulesToSave()
                    + " is not supported: embed_tokens/lm_head are saved automatically after a vocabulary resize");
        }
        try {
            EnumSet<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
            for (String t : spec.targetModules()) {
                targets.add(LoraTarget.fromModuleName(t));
            }
            return new LoraConfig(spec.r(), spec.loraAlpha(), spec.loraDropout(), targets, spec.useRslora(), seed);
        } catch (IllegalArgumentException e) {
            throw new StageFailure("lora", "lora: " + e.getMessage(), e);
        }
    }

    /** The step of a {@code step-<n>} checkpoint directory. */
    public static int stepOf(Path checkpointDir) {
        String name = checkpointDir.getFileName().toString();
        if (!name.matches("step-\\d+")) {
            throw new StageFailure("checkpoint", "not a step-<n> checkpoint directory: " + checkpointDir);
        }
        return Integer.parseInt(name.substring(5));
    }

    /** Parameters of the base model (before a resize): embeddings, decoder layers, final norm, untied head. */
    static long baseParameters(LlamaConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long layer = 2 * h + h * q + 2 * h * kv + q * h + 3 * h * c.intermediateSize();
        long vocab = (long) c.vocabSize() * h;
        return vocab + c.numHiddenLayers() * layer + h + (c.tieWordEmbeddings() ? 0 : vocab);
    }

    /** The LoRA share of the trainable parameters (resized embedding/head replace base tensors, not add to them). */
    private static long loraParameters(LlamaModel model, long trainable) {
        if (!model.embedding().trainable()) {
            return trainable;
        }
        long h = model.config().hiddenSize();
        long tables = (model.lmHead().tied() ? 1 : 2) * (long) model.config().vocabSize() * h;
        return trainable - tables;
    }

    /** Forwards trainer callbacks, remembering the latest metrics for checkpoints and the end. */
    private static final class Relay implements TrainerListener {
        private final TrainStageListener out;
        private final int total;
        private final BooleanSupplier cancel;
        final Map<String, Double> latest = new LinkedHashMap<>();
        int lastEvalStep = -1;
        int lastFinalStep = -1;
        private double lastEpoch;

        Relay(TrainStageListener out, int total, BooleanSupplier cancel) {
            this.out = out;
            this.total = total;
            this.cancel = cancel;
        }

        @Override
        public void onLog(StepLog log) {
            latest.putAll(log.metrics());
            lastEpoch = log.metrics().getOrDefault("epoch", lastEpoch);
            out.onLog(log);
        }

        @Override
        public void onEvaluate(int step, Map<String, Double> metrics) {
            latest.putAll(metrics);
            lastEvalStep = step;
            out.onEvaluate(step, lastEpoch, metrics);
        }

        @Override
        public void onCheckpoint(int step, Path dir) {
            boolean last = step == total || cancel.getAsBoolean();
            if (last) {
                lastFinalStep = step;
            }
            out.onCheckpoint(step, dir, last, Map.copyOf(latest));
        }

        double epoch(int step, int rows, TrainerConfig config) {
            return (double) step / config.stepsPerEpoch(rows);
        }
    }
}
