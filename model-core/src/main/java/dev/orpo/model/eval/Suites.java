package dev.orpo.model.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The seed's evaluation table (LLM AutoEval's "nous" benchmark): AGIEval, GPT4All, TruthfulQA and BigBench, each the
 * unweighted mean of its tasks' headline figures, and their mean as the average (docs/eval-tasks.md). Each task's
 * rules are in {@code dev.orpo.model.eval.lmeval.LmEvalTasks}.
 */
public final class Suites {
    /** {@code --suite nous}: every suite below. */
    public static final String NOUS = "nous";

    public static final Suite AGIEVAL = Suite.of("agieval", "AGIEval", List.of("agieval_aqua_rat", "agieval_logiqa_en",
            "agieval_lsat_ar", "agieval_lsat_lr", "agieval_lsat_rc", "agieval_sat_en", "agieval_sat_en_without_passage",
            "agieval_sat_math"));
    public static final Suite GPT4ALL = Suite.of("gpt4all", "GPT4All", List.of("arc_challenge", "arc_easy", "boolq",
            "hellaswag", "openbookqa", "piqa", "winogrande"));
    /** mc1 is reported; the column is mc2 alone, as the seed's table. */
    public static final Suite TRUTHFULQA = new Suite("truthfulqa", "TruthfulQA",
            List.of("truthfulqa_mc1", "truthfulqa_mc2"), List.of("truthfulqa_mc2"));
    public static final Suite BIGBENCH = Suite.of("bigbench", "Bigbench", List.of(
            "bigbench_causal_judgment_multiple_choice", "bigbench_date_understanding_multiple_choice",
            "bigbench_disambiguation_qa_multiple_choice", "bigbench_geometric_shapes_multiple_choice",
            "bigbench_logical_deduction_multiple_choice", "bigbench_movie_recommendation_multiple_choice",
            "bigbench_navigate_multiple_choice", "bigbench_reasoning_about_colored_objects_multiple_choice",
            "bigbench_ruin_names_multiple_choice", "bigbench_salient_translation_error_detection_multiple_choice",
            "bigbench_snarks_multiple_choice", "bigbench_sports_understanding_multiple_choice",
            "bigbench_temporal_sequences_multiple_choice", "bigbench_tracking_shuffled_objects_multiple_choice"));

    /** In the seed table's column order. */
    public static final List<Suite> ALL = List.of(AGIEVAL, GPT4ALL, TRUTHFULQA, BIGBENCH);

    private Suites() {
    }

    public static Optional<Suite> byName(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The suite a task belongs to, if any. */
    public static Optional<Suite> of(String task) {
        return ALL.stream().filter(s -> s.tasks().contains(task)).findFirst();
    }

    /**
     * Task names of a selection as lm-eval's {@code --tasks} takes it: comma-separated suite names ({@code nous},
     * {@code agieval}, ...) and task names, in the order given, each task once.
     *
     * @throws IllegalArgumentException naming the first unknown name
     */
    public static List<String> select(String selection) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : selection.split(",")) {
            String name = raw.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals(NOUS)) {
                ALL.forEach(s -> out.addAll(s.tasks()));
            } else if (byName(name).isPresent()) {
                out.addAll(byName(name).get().tasks());
            } else if (of(name).isPresent()) {
                out.add(name);
            } else {
                throw new IllegalArgumentException("unknown suite or task '" + raw.strip() + "' (suites: " + NOUS
                        + ", " + String.join(", ", ALL.stream().map(Suite::name).toList()) + "; tasks: see "
                        + "docs/eval-tasks.md)");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no suite or task named in '" + selection + "'");
        }
        return new ArrayList<>(out);
    }

    /** Every name {@link #select} accepts: nous, the suites, their tasks. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(NOUS);
        ALL.forEach(s -> names.add(s.name()));
        ALL.forEach(s -> names.addAll(s.tasks()));
        return names;
    }
}
