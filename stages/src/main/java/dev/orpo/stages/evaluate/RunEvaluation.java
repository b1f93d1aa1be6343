package dev.orpo.stages.evaluate;

import ai.djl.ndarray.NDManager;
import dev.orpo.contracts.request.EvalSpec;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.eval.EvalSettings;
import dev.orpo.model.eval.EvalTask;
import dev.orpo.model.eval.Evaluator;
import dev.orpo.model.eval.FewShot;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.ScoreConfig;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.stages.train.TrainStage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The evaluation state of one run: the base model's scores (computed once, on first use) and the report that grows
 * with each evaluated target. Each {@link #evaluateCheckpoint} / {@link #evaluateMerged} scores the tuned model
 * (base + checkpoint adapter, or the merged model) on the held-out preference pairs ({@code eval_} TRL names, ORPO
 * settings of the run), the run's task files and suite (multiple choice, and exact match of greedy replies for
 * generation tasks), and returns the base-vs-tuned table. With
 * {@code eval.prompts}, the report also holds greedy replies ({@code eval.max_new_tokens}, chat template, KV cache) of
 * the base (generated once) and of the target. Not thread-safe: one worker per run, targets in step order.
 */
public final class RunEvaluation {
    public static final String BASE = "base";
    public static final String TUNED = "tuned";

    private final Path baseModelDir;
    private final Evaluator.Inputs inputs;
    private final EvalSettings settings;
    private final List<String> prompts;
    private final int maxNewTokens;
    private final Path tokenizerDir;
    private Scored base;
    private EvalReport report;

    /** A model's scores and its replies to the prompts (empty without prompts). */
    private record Scored(ModelScores scores, List<PromptSample> samples) {
    }

    /**
     * One evaluated target.
     *
     * @param target {@code checkpoint} or {@code merged}
     * @param tuned  the target's scores
     * @param report base and this target as rows, every target so far in the history
     */
    public record Result(String target, long step, ModelScores tuned, EvalReport report) {
    }

    /**
     * @param heldOut      the prepared dataset's test pairs (may be empty: no preference metrics)
     * @param tasks        our task files and the suite's lm-eval tasks (may be empty)
     * @param tokenizerDir the run's tokenizer files (with its chat template), for the tasks and the samples of
     *                     {@code eval.prompts}; a target directory with its own {@code tokenizer.json} uses that
     *                     instead; may be null when there are neither tasks nor prompts
     */
    public RunEvaluation(Path baseModelDir, List<PreferencePair> heldOut, List<EvalTask> tasks, EvalSpec eval,
                         TrainingArgs training, Path tokenizerDir) {
        if (!tasks.isEmpty() && tokenizerDir == null) {
            throw new StageFailure(eval.suite() != null ? "eval.suite" : "eval.tasks",
                    "evaluation tasks need the run's tokenizer, and none was found");
        }
        if (!eval.prompts().isEmpty() && tokenizerDir == null) {
            throw new StageFailure("eval.prompts", "eval.prompts need the run's tokenizer, and none was found");
        }
        if (eval.maxNewTokens() < 1) {
            throw new StageFailure("eval.max_new_tokens", "must be >= 1, got " + eval.maxNewTokens());
        }
        this.prompts = eval.prompts();
        this.maxNewTokens = eval.maxNewTokens();
        this.tokenizerDir = tokenizerDir;
        this.baseModelDir = baseModelDir;
        this.inputs = new Evaluator.Inputs(tasks, heldOut, Map.of());
        // ORPO scoring as the trainer's evaluation: the run's beta and prompt-loss rule, its eval batch size
        ScoreConfig score = new ScoreConfig(training.beta(), training.promptLoss(),
                training.perDeviceEvalBatchSize(), 0);
        this.settings = new EvalSettings(new FewShot(eval.numFewshot(), FewShot.LM_EVAL_SEED), eval.limit(),
                training.perDeviceEvalBatchSize(), score);
    }

    /** The base model's scores, computed on the first call only. */
    public ModelScores base() {
        return scoredBase().scores();
    }

    private Scored scoredBase() {
        if (base == null) {
            base = score(BASE, baseModelDir, null, tokenizerDir);
        }
        return base;
    }

    /** base + the checkpoint's PEFT adapter (samples with the checkpoint's tokenizer files when it has them). */
    public Result evaluateCheckpoint(long step, Path adapterDir) {
        return record("checkpoint", step, score(TUNED, baseModelDir, adapterDir, ownTokenizer(adapterDir)));
    }

    /** The merged model directory (samples with its own tokenizer files when present). */
    public Result evaluateMerged(long step, Path mergedDir) {
        return record("merged", step, score(TUNED, mergedDir, null, ownTokenizer(mergedDir)));
    }

    private Path ownTokenizer(Path targetDir) {
        return Files.isRegularFile(targetDir.resolve("tokenizer.json")) ? targetDir : tokenizerDir;
    }

    /** The report so far (null before the first target; no rows while it holds only a restored history). */
    public EvalReport report() {
        return report;
    }

    /**
     * Continues a history written before (an evaluator restarting reads its last report.json back): the next
     * targets are appended to these entries. Only before the first target.
     */
    public void restoreHistory(List<EvalReport.Checkpoint> history) {
        if (report != null && !report.rows().isEmpty()) {
            throw new IllegalStateException("history can only be restored before the first evaluation");
        }
        report = new EvalReport(List.of(), history);
    }

    private Result record(String target, long step, Scored tuned) {
        Scored b = scoredBase();
        // a step evaluated again (a redelivered event, or the merged model of the final step) replaces its entry
        List<EvalReport.Checkpoint> history = report == null ? List.of()
                : report.history().stream().filter(c -> c.step() != step).toList();
        EvalReport next = new EvalReport(List.of(b.scores(), tuned.scores()), history);
        if (!prompts.isEmpty()) {
            next = next.withSamples(BASE, b.samples()).withSamples(TUNED, tuned.samples());
        }
        report = next.withCheckpoint(step, tuned.scores());
        return new Result(target, step, tuned.scores(), report);
    }

    private Scored score(String label, Path modelDir, Path adapterDir, Path tokenizerFiles) {
        TrainStage.gradModeOffOnThisThread();
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaModel model;
            try {
                model = PretrainedLlama.load(modelDir, adapterDir, manager);
            } catch (RuntimeException e) {
                throw new StageFailure(adapterDir == null ? "model" : "checkpoint", "cannot load "
                        + (adapterDir == null ? modelDir : adapterDir) + ": " + e.getMessage(), e);
            }
            try (model; HfTokenizer tokenizer = tokenizer(tokenizerFiles)) {
                model.setTraining(false);
                ModelScores scores;
                try {
                    scores = ModelEvaluation.evaluate(label, model, tokenizer, manager, settings, inputs,
                            maxNewTokens);
                } catch (IllegalArgumentException e) {
                    throw new StageFailure("eval.tasks", label + ": " + e.getMessage(), e);
                }
                return new Scored(scores, samples(model, tokenizer, manager, tokenizerFiles));
            }
        }
    }

    /** The tokenizer in {@code dir} when tasks or prompts need one, else null. */
    private HfTokenizer tokenizer(Path dir) {
        if (inputs.tasks().isEmpty() && prompts.isEmpty()) {
            return null;
        }
        try {
            return HfTokenizer.load(dir);
        } catch (IOException | RuntimeException e) {
            throw new StageFailure(prompts.isEmpty() ? "eval.tasks" : "eval.prompts", "cannot load the tokenizer in "
                    + dir + ": " + e.getMessage(), e);
        }
    }

    /** Greedy replies to the prompts through the chat template of the tokenizer in {@code dir}. */
    private List<PromptSample> samples(LlamaModel model, HfTokenizer tokenizer, NDManager manager, Path dir) {
        if (prompts.isEmpty()) {
            return List.of();
        }
        try {
            return ModelEvaluation.replies(model, tokenizer, manager, prompts, maxNewTokens);
        } catch (RuntimeException e) {
            throw new StageFailure("eval.prompts", "cannot generate samples with the tokenizer in " + dir + ": "
                    + e.getMessage(), e);
        }
    }
}
