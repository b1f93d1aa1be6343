package dev.orpo.contracts.request;

import java.util.List;
import java.util.Locale;

/**
 * The names {@code eval.suite} accepts: the seed's table ({@code nous}), its four suites and their lm-eval tasks. The
 * rules of each task live in model-core ({@code dev.orpo.model.eval.lmeval}); a test in stages keeps the two lists
 * equal.
 */
public final class EvalSuites {
    public static final List<String> SUITES = List.of("nous", "agieval", "gpt4all", "truthfulqa", "bigbench");

    public static final List<String> TASKS = List.of(
            "agieval_aqua_rat", "agieval_logiqa_en", "agieval_lsat_ar", "agieval_lsat_lr", "agieval_lsat_rc",
            "agieval_sat_en", "agieval_sat_en_without_passage", "agieval_sat_math",
            "arc_challenge", "arc_easy", "boolq", "hellaswag", "openbookqa", "piqa", "winogrande",
            "truthfulqa_mc1", "truthfulqa_mc2",
            "bigbench_causal_judgment_multiple_choice", "bigbench_date_understanding_multiple_choice",
            "bigbench_disambiguation_qa_multiple_choice", "bigbench_geometric_shapes_multiple_choice",
            "bigbench_logical_deduction_multiple_choice", "bigbench_movie_recommendation_multiple_choice",
            "bigbench_navigate_multiple_choice", "bigbench_reasoning_about_colored_objects_multiple_choice",
            "bigbench_ruin_names_multiple_choice", "bigbench_salient_translation_error_detection_multiple_choice",
            "bigbench_snarks_multiple_choice", "bigbench_sports_understanding_multiple_choice",
            "bigbench_temporal_sequences_multiple_choice", "bigbench_tracking_shuffled_objects_multiple_choice");

    private EvalSuites() {
    }

    /** The names of a comma-separated selection that are neither a suite nor a task (empty: all known). */
    public static List<String> unknown(String selection) {
        return java.util.Arrays.stream(selection.split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty() && !SUITES.contains(s) && !TASKS.contains(s)).toList();
    }
}
