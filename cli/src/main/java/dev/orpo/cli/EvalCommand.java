package dev.orpo.cli;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.eval.EvalSettings;
import dev.orpo.model.eval.Evaluator;
import dev.orpo.model.eval.FewShot;
import dev.orpo.model.eval.McTask;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.eval.TaskFiles;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.PreferenceIdsJsonl;
import dev.orpo.model.score.ScoreConfig;
import dev.orpo.model.text.HfTokenizer;
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
 * {@code orpo eval}: lm-eval-style multiple-choice tasks (docs/eval-tasks.md) and held-out preference pairs for a
 * model, and for its base when an adapter is given; prints the base-vs-tuned Markdown table.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model (+ LoRA adapter) on multiple-choice task files and preference pairs; "
                + "prints base vs tuned.")
public class EvalCommand implements Callable<Integer> {

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

    @Option(names = "--pairs", description = "held-out JSONL {prompt_ids, chosen_ids, rejected_ids} for eval_* metrics")
    Path pairs;

    @Option(names = "--perplexity", description = "text file whose token-level perplexity becomes a column (repeatable)")
    List<Path> perplexity = new ArrayList<>();

    @Option(names = "--compare-base", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "with --adapter, also evaluate the base model (default; --no-compare-base skips it)")
    boolean compareBase;

    @Option(names = "--batch-size", defaultValue = "8", description = "sequences per forward pass; default ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--json", description = "also write the report as JSON to this file")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (tasks == null && pairs == null && perplexity.isEmpty()) {
                throw new IllegalArgumentException("nothing to evaluate: give --tasks, --pairs and/or --perplexity");
            }
            Map<String, String> texts = new LinkedHashMap<>();
            for (Path file : perplexity) {
                texts.put(file.getFileName().toString().replaceFirst("\\.[^.]*$", ""), Files.readString(file));
            }
            List<McTask> taskList = tasks == null ? List.of() : TaskFiles.load(tasks);
            List<PreferencePair> pairList = pairs == null ? List.of() : PreferenceIdsJsonl.read(pairs);
            EvalSettings settings = new EvalSettings(new FewShot(numFewshot, fewshotSeed), limit, batchSize,
                    new ScoreConfig(ScoreConfig.DEFAULTS.beta(), true, batchSize, ScoreConfig.DEFAULTS.padId()));
            List<ModelScores> rows = new ArrayList<>();
            try (HfTokenizer tokenizer = taskList.isEmpty() && texts.isEmpty() ? null
                    : HfTokenizer.load(ChatCommand.tokenizerDir(model, adapter))) {
                if (adapter == null || compareBase) {
                    rows.add(evaluate("base", null, tokenizer, taskList, pairList, texts, settings));
                }
                if (adapter != null) {
                    rows.add(evaluate("tuned", adapter, tokenizer, taskList, pairList, texts, settings));
                }
            }
            EvalReport report = new EvalReport(rows, List.of());
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

    private ModelScores evaluate(String label, Path adapterDir, HfTokenizer tokenizer, List<McTask> taskList,
                                 List<PreferencePair> pairList, Map<String, String> texts, EvalSettings settings) {
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel lm = PretrainedLlama.load(model, adapterDir, manager)) {
            Evaluator evaluator = tokenizer == null ? new Evaluator(text -> {
                throw new IllegalStateException("no tokenizer loaded");
            }, -1, settings) : new Evaluator(tokenizer::encode, prefixTokenId(lm.config(), tokenizer), settings);
            return evaluator.evaluate(label, lm::logits, lm.config().maxPositionEmbeddings(), manager, taskList,
                    pairList, texts);
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
