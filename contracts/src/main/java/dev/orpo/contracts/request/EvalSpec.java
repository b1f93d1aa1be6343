package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Evaluation of checkpoints and the merged model against the base.
 *
 * @param enabled        true
 * @param checkpoints    evaluate every checkpoint as it is saved (training never waits); true
 * @param tasks          multiple-choice task files (local paths or s3:// URIs, JSONL); empty: preference metrics only
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
        Integer maxNewTokens) {

    public EvalSpec {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        checkpoints = checkpoints == null ? Boolean.TRUE : checkpoints;
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        numFewshot = numFewshot == null ? 0 : numFewshot;
        prompts = prompts == null ? List.of() : List.copyOf(prompts);
        maxNewTokens = maxNewTokens == null ? 64 : maxNewTokens;
    }

    public static EvalSpec defaults() {
        return new EvalSpec(null, null, null, null, null, null, null);
    }
}
