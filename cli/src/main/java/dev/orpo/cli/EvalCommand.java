package dev.orpo.cli;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.eval.EvalSettings;
import dev.orpo.model.eval.Evaluator;
import dev.orpo.model.eval.FewShot;
import dev.orpo.model.eval.EvalTask;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.eval.TaskFiles;
import dev.orpo.model.eval.Suites;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.PreferenceTextJsonl;
import dev.orpo.model.score.ScoreConfig;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.stages.evaluate.ModelEvaluation;
import dev.orpo.stages.evaluate.SuiteData;
import dev.orpo.stages.resolve.HubAccess;
import dev.orpo.store.S3Uri;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code orpo eval}: the seed's lm-eval suites from hub-schema files ({@code --suite nous --data-dir DIR}), our own task
 * files (multiple choice, generation), held-out preference pairs and perplexities for a model, and for its base when
 * an adapter is given (docs/eval-tasks.md); prints the seed-style base-vs-tuned Markdown tables, followed by each
 * model's greedy replies to the {@code --prompt}s.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model (+ LoRA adapter) on lm-eval suites (--suite nous), task files and "
                + "preference pairs; prints base vs tuned.")
public class EvalCommand implements Callable<Integer>, EngineCommand {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "HF model directory (config.json, safetensors, tokenizer)")
    Path model;

    @Option(names = "--adapter", description = "PEFT LoRA adapter directory: the tuned model")
    Path adapter;

    @Option(names = "--tasks", description = "our task file (JSONL: multiple choice or generation) or a directory of "
            + "*.jsonl task files")
    Path tasks;

    @Option(names = "--suite", paramLabel = "NAMES", description = "lm-eval suites and tasks of the seed's table, "
            + "comma-separated: nous, agieval, gpt4all, truthfulqa, bigbench, or task names (docs/eval-tasks.md)")
    String suite;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = SuiteData.HUB, description = "the suite's "
            + "datasets in the hub's layout <org>/<name>/<config>/<split files> (docs/eval-tasks.md), or "
            + "hf://datasets for the hub itself; default ${DEFAULT-VALUE}")
    String dataDir;

    @Option(names = "--num-fewshot", defaultValue = "0", description = "examples per question; default ${DEFAULT-VALUE}")
    int numFewshot;

    @Option(names = "--fewshot-seed", defaultValue = "1234", description = "default ${DEFAULT-VALUE} (lm-eval's)")
    long fewshotSeed;

    @Option(names = "--limit", description = "at most N questions per task")
    Integer limit;

    @Option(names = "--pairs", description = "held-out preference rows for eval_* metrics, JSONL: text (as orpo prepare "
            + "reads them) or token ids {prompt_ids, chosen_ids, rejected_ids}")
    Path pairs;

    @Option(names = "--perplexity", description = "text file whose token-level perplexity becomes a column (repeatable)")
    List<Path> perplexity = new ArrayList<>();

    @Option(names = "--compare-base", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "with --adapter, also evaluate the base model (default; --no-compare-base skips it)")
    boolean compareBase;

    @Option(names = "--prompt", description = "user message whose greedy reply (chat template) each model adds to the "
            + "report's samples (repeatable)")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--max-new-tokens", defaultValue = "64",
            description = "per sample reply; default ${DEFAULT-VALUE} (the request's eval.max_new_tokens)")
    int maxNewTokens;

    @Option(names = "--batch-size", defaultValue = "8", description = "sequences per forward pass; default ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--json", description = "also write the report as JSON to this file")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (tasks == null && suite == null && pairs == null && perplexity.isEmpty() && prompts.isEmpty()) {
                throw new IllegalArgumentException("nothing to evaluate: give --tasks, --suite, --pairs, --perplexity "
                        + "and/or --prompt");
            }
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
            }
            Map<String, String> texts = new LinkedHashMap<>();
            for (Path file : perplexity) {
                texts.put(file.getFileName().toString().replaceFirst("\\.[^.]*$", ""), Files.readString(file));
            }
            List<EvalTask> taskList = new ArrayList<>(tasks == null ? List.of() : TaskFiles.load(tasks));
            if (suite != null) {
                taskList.addAll(suiteData().load(Suites.select(suite), numFewshot));
            }
            List<PreferencePair> pairList = pairs == null ? List.of() : PreferenceTextJsonl.readIdsOrText(pairs,
                    ChatCommand.tokenizerDir(model, adapter), PreferenceTokenizationConfig.DEFAULTS);
            EvalSettings settings = new EvalSettings(new FewShot(numFewshot, fewshotSeed), limit, batchSize,
                    new ScoreConfig(ScoreConfig.DEFAULTS.beta(), true, batchSize, ScoreConfig.DEFAULTS.padId()));
            Evaluator.Inputs in = new Evaluator.Inputs(taskList, pairList, texts);
            EvalReport report = EvalReport.of();
            try (HfTokenizer tokenizer = taskList.isEmpty() && texts.isEmpty() && prompts.isEmpty() ? null
                    : HfTokenizer.load(ChatCommand.tokenizerDir(model, adapter))) {
                if (adapter == null || compareBase) {
                    report = evaluate(report, "base", null, tokenizer, settings, in);
                }
                if (adapter != null) {
                    report = evaluate(report, "tuned", adapter, tokenizer, settings, in);
                }
            }
            out.print(report.markdown());
            out.flush();
            if (json != null) {
                Files.writeString(json, report.json());
            }
            return ExitCodes.OK;
        } catch (IllegalArgumentException | UncheckedIOException | IOException e) {
            err.println("orpo eval: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
    }

    /** The suite's data: a local directory, or the hub (HF_TOKEN, HF_ENDPOINT), cached under $ORPO_HOME/eval-data. */
    private SuiteData suiteData() {
        if (S3Uri.isS3Uri(dataDir)) {
            throw new IllegalArgumentException("--data-dir " + dataDir + ": orpo eval reads a local copy or the hub; "
                    + "s3:// data directories are read by eval-service (eval.data_dir)");
        }
        boolean hub = dataDir.replaceAll("/+$", "").equals(SuiteData.HUB);
        if (!hub && !Files.isDirectory(Path.of(dataDir))) {
            throw new IllegalArgumentException("--data-dir " + dataDir + " is not a directory");
        }
        return new SuiteData(dataDir, null, hub ? HubAccess.fromEnvironment(System.getenv()).client() : null,
                OrpoHome.resolve().resolve("eval-data"));
    }

    /** {@code report} with the model's row (and its replies to the prompts) added. */
    private EvalReport evaluate(EvalReport report, String label, Path adapterDir, HfTokenizer tokenizer,
                                EvalSettings settings, Evaluator.Inputs in) {
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel lm = PretrainedLlama.load(model, adapterDir, manager)) {
            ModelScores scores = ModelEvaluation.evaluate(label, lm, tokenizer, manager, settings, in, maxNewTokens);
            List<ModelScores> rows = new ArrayList<>(report.rows());
            rows.add(scores);
            EvalReport next = new EvalReport(rows, report.history(), report.samples());
            if (prompts.isEmpty()) {
                return next;
            }
            return next.withSamples(label, ModelEvaluation.replies(lm, tokenizer, manager, prompts, maxNewTokens));
        }
    }
}
