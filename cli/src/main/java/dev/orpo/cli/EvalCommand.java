package dev.orpo.cli;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.eval.EvalSettings;
import dev.orpo.model.eval.Evaluator;
import dev.orpo.model.eval.FewShot;
import dev.orpo.model.eval.McTask;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.eval.TaskFiles;
import dev.orpo.model.generate.GenerationConfig;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.generate.PromptSamples;
import dev.orpo.model.generate.SamplingConfig;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.PreferenceTextJsonl;
import dev.orpo.model.score.ScoreConfig;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceTokenizationConfig;
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
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code orpo eval}: lm-eval-style multiple-choice tasks (docs/eval-tasks.md) and held-out preference pairs for a
 * model, and for its base when an adapter is given; prints the base-vs-tuned Markdown table, followed by each model's
 * greedy replies to the {@code --prompt}s.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model (+ LoRA adapter) on multiple-choice task files and preference pairs; "
                + "prints base vs tuned.")
public class EvalCommand implements Callable<Integer>, EngineCommand {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "HF model directory (config.json, safetensors, tokenizer)")
    Path model;

    @Option(names = "--adapter", description = "PEFT LoRA adapter directory: the tuned model")
    Path adapter;

    @Option(names = "--tasks", description = "task file (JSONL) or directory of *.jsonl task files")
    Path tasks;

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
            if (tasks == null && pairs == null && perplexity.isEmpty() && prompts.isEmpty()) {
                throw new IllegalArgumentException("nothing to evaluate: give --tasks, --pairs, --perplexity and/or "
                        + "--prompt");
            }
            GenerationConfig generation = prompts.isEmpty() ? null
                    : new GenerationConfig(maxNewTokens, Set.of(), SamplingConfig.GREEDY);
            Map<String, String> texts = new LinkedHashMap<>();
            for (Path file : perplexity) {
                texts.put(file.getFileName().toString().replaceFirst("\\.[^.]*$", ""), Files.readString(file));
            }
            List<McTask> taskList = tasks == null ? List.of() : TaskFiles.load(tasks);
            List<PreferencePair> pairList = pairs == null ? List.of() : PreferenceTextJsonl.readIdsOrText(pairs,
                    ChatCommand.tokenizerDir(model, adapter), PreferenceTokenizationConfig.DEFAULTS);
            EvalSettings settings = new EvalSettings(new FewShot(numFewshot, fewshotSeed), limit, batchSize,
                    new ScoreConfig(ScoreConfig.DEFAULTS.beta(), true, batchSize, ScoreConfig.DEFAULTS.padId()));
            EvalReport report = EvalReport.of();
            try (HfTokenizer tokenizer = taskList.isEmpty() && texts.isEmpty() && prompts.isEmpty() ? null
                    : HfTokenizer.load(ChatCommand.tokenizerDir(model, adapter))) {
                Inputs in = new Inputs(tokenizer, taskList, pairList, texts, settings, generation);
                if (adapter == null || compareBase) {
                    report = evaluate(report, "base", null, in);
                }
                if (adapter != null) {
                    report = evaluate(report, "tuned", adapter, in);
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

    /** What every model is evaluated on; {@code generation} is null without prompts. */
    private record Inputs(HfTokenizer tokenizer, List<McTask> tasks, List<PreferencePair> pairs,
                          Map<String, String> texts, EvalSettings settings, GenerationConfig generation) {
    }

    /** {@code report} with the model's row (and its replies to the prompts) added. */
    private EvalReport evaluate(EvalReport report, String label, Path adapterDir, Inputs in) {
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel lm = PretrainedLlama.load(model, adapterDir, manager)) {
            HfTokenizer tokenizer = in.tokenizer();
            Evaluator evaluator = tokenizer == null ? new Evaluator(text -> {
                throw new IllegalStateException("no tokenizer loaded");
            }, -1, in.settings()) : new Evaluator(tokenizer::encode, prefixTokenId(lm.config(), tokenizer),
                    in.settings());
            ModelScores scores = evaluator.evaluate(label, lm::logits, lm.config().maxPositionEmbeddings(), manager,
                    in.tasks(), in.pairs(), in.texts());
            List<ModelScores> rows = new ArrayList<>(report.rows());
            rows.add(scores);
            EvalReport next = new EvalReport(rows, report.history(), report.samples());
            if (in.generation() == null) {
                return next;
            }
            List<PromptSample> replies = new PromptSamples(lm, tokenizer, manager).generate(prompts, in.generation());
            return next.withSamples(label, replies);
        }
    }

    /** lm-eval's prefix token for empty contexts: BOS, else the first EOS; -1 when neither is known. */
    static int prefixTokenId(LlamaConfig config, HfTokenizer tokenizer) {
        if (tokenizer.bosTokenId().isPresent()) {
            return tokenizer.bosTokenId().getAsInt();
        }
        if (config.bosTokenId() != null) {
            return config.bosTokenId();
        }
        return config.eosTokenIds().isEmpty() ? -1 : config.eosTokenIds().get(0);
    }
}
