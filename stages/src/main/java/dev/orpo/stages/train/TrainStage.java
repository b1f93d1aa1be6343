package dev.orpo.stages.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.LoraSpec;
import dev.orpo.contracts.request.QuantizationSpec;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.llama.WeightShapes;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.quant.Nf4Config;
import dev.orpo.model.quant.Nf4Storage;
import dev.orpo.model.train.Checkpoints;
import dev.orpo.model.train.OrpoTrainer;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainResult;
import dev.orpo.model.train.TrainerConfig;
import dev.orpo.model.train.TrainerListener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

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

    /**
     * Trains the run to its end or until {@code cancel} answers true (checked before every update). The request is
     * validated first (a request that bypassed {@code orpo submit} and dataset-service fails here, naming its fields):
     * its training and lora sections then map onto the trainer's configs without a rule of their own.
     */
    public static Outcome run(TrainingRequest request, Inputs in, TrainStageListener listener, BooleanSupplier cancel) {
        List<FieldError> errors = RequestValidator.validate(request);
        if (!errors.isEmpty()) {
            throw new StageFailure(errors.get(0).path(), "invalid request: " + errors.stream()
                    .map(FieldError::toString).collect(Collectors.joining("; ")));
        }
        TrainerConfig config = TrainerConfig.of(request.training());
        LoraSpec lora = request.lora();
        return train(config, LoraConfig.of(lora, config.seed()),
                lora.modulesToSave() == null ? List.of() : lora.modulesToSave(), request.quantization(), in, listener,
                cancel);
    }

    private static Outcome train(TrainerConfig config, LoraConfig lora, List<String> modulesToSave,
                                 QuantizationSpec quantization, Inputs in, TrainStageListener listener,
                                 BooleanSupplier cancel) {
        long started = System.nanoTime();
        gradModeOffOnThisThread();
        PreparedDataset data = PreparedDataset.read(in.preparedDir());
        if (!Files.isRegularFile(in.baseModelDir().resolve("config.json"))) {
            throw new StageFailure("model.name_or_path", "base model " + in.baseModelDir() + " has no config.json");
        }
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(in.baseModelDir(), manager, frozenWeights(quantization))) {
            long baseParameters = WeightShapes.parameterCount(model.config());
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
            TrainableTensors.trainModules(model, modulesToSave);
            OrpoTrainer trainer = new OrpoTrainer(model, config, data.train(), data.test(), in.outputDir(),
                    in.baseModelName());
            TrainerEvents events = new TrainerEvents(listener, trainer.totalSteps(), cancel);
            trainer.addListener(events).cancelWhen(cancel);
            int resumed = in.resumeFrom() == null ? 0 : stepOf(in.resumeFrom());
            long trainable = 0;
            for (NDArray p : TrainableTensors.of(model).values()) {
                trainable += p.size();
            }
            listener.onStarted(trainer.totalSteps(), resumed, Engine.getInstance().defaultDevice().toString(),
                    trainable, baseParameters + loraParameters(model, trainable));
            TrainResult result = in.resumeFrom() == null ? trainer.train() : trainer.resume(in.resumeFrom());
            // held-out metrics of the final adapter, unless the trainer just evaluated at this step
            if (!data.test().isEmpty() && events.lastEvalStep != result.step()) {
                Map<String, Double> eval = trainer.evaluate();
                events.latest.putAll(eval);
                listener.onEvaluate(result.step(), events.epoch(result.step(), data.train().size(), config), eval);
            }
            if (result.cancelled() && events.finalCheckpointStep != result.step()) {
                listener.onCheckpoint(result.step(), result.finalCheckpoint(), true, Map.copyOf(events.latest));
            }
            Outcome outcome = new Outcome(result, Map.copyOf(events.latest), (System.nanoTime() - started) / 1e9);
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

    /** How the frozen base projections are stored: fp32 ({@code none}) or NF4 ({@code nf4}, the seed's QLoRA). */
    public static WeightStorage frozenWeights(QuantizationSpec q) {
        return QuantizationSpec.NF4.equals(q.mode()) ? new Nf4Storage(new Nf4Config(q.blockSize(), q.doubleQuant()))
                : WeightStorage.DENSE;
    }

    /** The step of a {@code step-<n>} checkpoint directory. */
    public static int stepOf(Path checkpointDir) {
        int step = Checkpoints.stepOf(checkpointDir.getFileName().toString());
        if (step < 0) {
            throw new StageFailure("checkpoint", "not a step-<n> checkpoint directory: " + checkpointDir);
        }
        return step;
    }

    /** The adapter's share of the trainable parameters: tables trained whole replace base tensors, not add to them. */
    private static long loraParameters(LlamaModel model, long trainable) {
        long tables = 0;
        if (model.embedding().trainable()) {
            tables += model.embedding().weight().size();
        }
        if (!model.lmHead().tied() && model.lmHead().trainable()) {
            tables += model.lmHead().weight().size();
        }
        return trainable - tables;
    }

    /**
     * The trainer's callbacks as stage events: forwards them, remembering the latest metrics (for checkpoints and the
     * outcome), the last evaluated step and the step of the final checkpoint.
     */
    private static final class TrainerEvents implements TrainerListener {
        private final TrainStageListener out;
        private final int total;
        private final BooleanSupplier cancel;
        final Map<String, Double> latest = new LinkedHashMap<>();
        int lastEvalStep = -1;
        int finalCheckpointStep = -1;
        private double lastEpoch;

        TrainerEvents(TrainStageListener out, int total, BooleanSupplier cancel) {
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
                finalCheckpointStep = step;
            }
            out.onCheckpoint(step, dir, last, Map.copyOf(latest));
        }

        double epoch(int step, int rows, TrainerConfig config) {
            return (double) step / config.stepsPerEpoch(rows);
        }
    }
}
