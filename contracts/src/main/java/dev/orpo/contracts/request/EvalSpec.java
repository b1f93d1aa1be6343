package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Evaluation of checkpoints and the merged model against the base.
 *
 * @param enabled        true
 * @param checkpoints    evaluate every checkpoint as it is saved (training never waits); true
 * @param tasks          our task files (local paths or s3:// URIs, JSONL: multiple choice or generation); empty: none
 * @param suite          lm-eval suites and tasks of the seed's table, comma-separated ({@code nous}, {@code agieval},
 *                       {@code gpt4all}, {@code truthfulqa}, {@code bigbench}, or task names; {@link EvalSuites});
 *                       null: none
 * @param dataDir        where the suite's datasets are, in the hub's layout (docs/eval-tasks.md): a local directory,
 *                       {@code s3://bucket/prefix} or {@code hf://datasets} (the hub, the default)
 * @param numFewshot     0, as the seed's suites mostly are
 * @param limit          at most this many examples per task; null: all
 * @param prompts        prompts for generation samples
 * @param maxNewTokens   64
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalSpec(
        Boolean enabled,
        Boolean checkpoints,
        List<String> tasks,
        Integer numFewshot,
        Integer limit,
        List<String> prompts,
        Integer maxNewTokens,
        String suite,
        String dataDir) {
    /** The hub as {@link #dataDir}: each dataset's Parquet files from the Hugging Face hub. */
    public static final String HUB = "hf://datasets";


    public EvalSpec {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        checkpoints = checkpoints == null ? Boolean.TRUE : checkpoints;
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        numFewshot = numFewshot == null ? 0 : numFewshot;
        prompts = prompts == null ? List.of() : List.copyOf(prompts);
        maxNewTokens = maxNewTokens == null ? 64 : maxNewTokens;
        dataDir = dataDir == null || dataDir.isBlank() ? HUB : dataDir;
    }

    /** Evaluation without suites: our task files, prompts and the preference metrics. */
    public EvalSpec(Boolean enabled, Boolean checkpoints, List<String> tasks, Integer numFewshot, Integer limit,
                    List<String> prompts, Integer maxNewTokens) {
        this(enabled, checkpoints, tasks, numFewshot, limit, prompts, maxNewTokens, null, null);
    }

    public static EvalSpec defaults() {
        return new EvalSpec(null, null, null, null, null, null, null, null, null);
    }
}
