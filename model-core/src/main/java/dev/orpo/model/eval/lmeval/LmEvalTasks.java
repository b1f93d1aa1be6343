package dev.orpo.model.eval.lmeval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.eval.Metric;
import dev.orpo.model.eval.Question;
import dev.orpo.model.eval.Suites;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.orpo.model.eval.lmeval.Fields.field;
import static dev.orpo.model.eval.lmeval.Fields.indexIn;
import static dev.orpo.model.eval.lmeval.Fields.integer;
import static dev.orpo.model.eval.lmeval.Fields.integers;
import static dev.orpo.model.eval.lmeval.Fields.text;
import static dev.orpo.model.eval.lmeval.Fields.texts;

/**
 * The lm-evaluation-harness tasks of the seed's table, each as its task YAML (and utils.py) defines it; the rules,
 * in words, are in docs/eval-tasks.md. Splits follow lm-eval: the scored split is the test split, else validation;
 * few-shot examples come from the training split, else validation, else test.
 */
public final class LmEvalTasks {
    private static final Set<Metric> ACC = EnumSet.of(Metric.ACC);
    private static final Set<Metric> ACC_AND_NORM = EnumSet.of(Metric.ACC, Metric.ACC_NORM);

    public static final List<LmEvalTask> ALL = all();

    private LmEvalTasks() {
    }

    public static Optional<LmEvalTask> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public static LmEvalTask require(String name) {
        return byName(name).orElseThrow(() -> new IllegalArgumentException("unknown lm-eval task " + name));
    }

    private static List<LmEvalTask> all() {
        List<LmEvalTask> tasks = new ArrayList<>();
        for (String part : List.of("aqua-rat", "logiqa-en", "lsat-ar", "lsat-lr", "lsat-rc", "sat-en",
                "sat-en-without-passage", "sat-math")) {
            // test split only: examples come from it too, k drawn (the question may be its own example)
            tasks.add(new LmEvalTask("agieval_" + part.replace('-', '_'), "hails/agieval-" + part, "default", "test",
                    "test", false, null, ACC_AND_NORM, LmEvalTasks::agieval));
        }
        tasks.add(new LmEvalTask("arc_challenge", "allenai/ai2_arc", "ARC-Challenge", "test", "train", false, null,
                ACC_AND_NORM, LmEvalTasks::arc));
        tasks.add(new LmEvalTask("arc_easy", "allenai/ai2_arc", "ARC-Easy", "test", "train", false, null,
                ACC_AND_NORM, LmEvalTasks::arc));
        tasks.add(new LmEvalTask("boolq", "aps/super_glue", "boolq", "validation", "train", true, null, ACC,
                LmEvalTasks::boolq));
        tasks.add(new LmEvalTask("hellaswag", "Rowan/hellaswag", "default", "validation", "train", true, null,
                ACC_AND_NORM, Hellaswag::question));
        tasks.add(new LmEvalTask("openbookqa", "allenai/openbookqa", "main", "test", "train", false, null,
                ACC_AND_NORM, LmEvalTasks::openbookqa));
        tasks.add(new LmEvalTask("piqa", "baber/piqa", "default", "validation", "train", true, null, ACC_AND_NORM,
                LmEvalTasks::piqa));
        tasks.add(new LmEvalTask("winogrande", "allenai/winogrande", "winogrande_xl", "validation", "train", true,
                null, ACC, LmEvalTasks::winogrande));
        tasks.add(new LmEvalTask("truthfulqa_mc1", "truthfulqa/truthful_qa", "multiple_choice", "validation",
                "validation", true, 0, ACC, TruthfulQa::mc1));
        tasks.add(new LmEvalTask("truthfulqa_mc2", "truthfulqa/truthful_qa", "multiple_choice", "validation",
                "validation", true, 0, EnumSet.of(Metric.MC2), TruthfulQa::mc2));
        for (String task : Suites.BIGBENCH.tasks()) {
            String base = task.substring("bigbench_".length(), task.length() - "_multiple_choice".length());
            tasks.add(new LmEvalTask(task, "hails/bigbench", base + "_zero_shot", "default", "default", false, null,
                    ACC, LmEvalTasks::bigbench));
        }
        return List.copyOf(tasks);
    }

    /** doc_to_text {@code {{query}}}, choices {@code choices}, gold {@code gold} (a list: any of them is right). */
    static Question agieval(JsonNode row) {
        return Question.of(text(row, "query"), texts(row, "choices"), integers(row, "gold"));
    }

    /** {@code "Question: {{question}}\nAnswer:"}, choices.text, gold = choices.label.index(answerKey). */
    static Question arc(JsonNode row) {
        JsonNode choices = field(row, "choices");
        List<String> labels = texts(choices, "label");
        return Question.of("Question: " + text(row, "question") + "\nAnswer:", texts(choices, "text"),
                indexIn(labels, text(row, "answerKey"), "answerKey"));
    }

    /** {@code "{{passage}}\nQuestion: {{question}}?\nAnswer:"}, choices no / yes, gold = label. */
    static Question boolq(JsonNode row) {
        return Question.of(text(row, "passage") + "\nQuestion: " + text(row, "question") + "?\nAnswer:",
                List.of("no", "yes"), integer(row, "label"));
    }

    /** {@code question_stem}, choices.text, gold = choices.label.index(answerKey.lstrip()). */
    static Question openbookqa(JsonNode row) {
        JsonNode choices = field(row, "choices");
        return Question.of(text(row, "question_stem"), texts(choices, "text"),
                indexIn(texts(choices, "label"), text(row, "answerKey").stripLeading(), "answerKey"));
    }

    /** {@code "Question: {{goal}}\nAnswer:"}, choices [sol1, sol2], gold = label. */
    static Question piqa(JsonNode row) {
        return Question.of("Question: " + text(row, "goal") + "\nAnswer:",
                List.of(text(row, "sol1"), text(row, "sol2")), integer(row, "label"));
    }

    /**
     * Partial scoring: each option fills the blank and ends its own context (the sentence up to "_"); the shared
     * rest of the sentence after "_", stripped, is the scored continuation. answer "1" / "2".
     */
    static Question winogrande(JsonNode row) {
        String sentence = text(row, "sentence");
        int blank = sentence.indexOf('_');
        if (blank < 0) {
            throw new IllegalArgumentException("field sentence has no blank '_'");
        }
        String answer = text(row, "answer");
        int gold = switch (answer) {
            case "1" -> 0;
            case "2" -> 1;
            default -> throw new IllegalArgumentException("field answer must be \"1\" or \"2\", got \"" + answer
                    + "\"");
        };
        String before = sentence.substring(0, blank);
        return Question.partial(List.of(before + text(row, "option1"), before + text(row, "option2")),
                sentence.substring(blank + 1).strip(), gold);
    }

    /**
     * {@code inputs}, choices {@code multiple_choice_targets}, gold = their index of {@code targets[0]}; rows
     * without choices are dropped (lm-eval's filter_multiple_choice).
     */
    static Question bigbench(JsonNode row) {
        List<String> choices = texts(row, "multiple_choice_targets");
        if (choices.isEmpty()) {
            return null;
        }
        List<String> targets = texts(row, "targets");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("field targets is empty");
        }
        return Question.of(text(row, "inputs"), choices, indexIn(choices, targets.get(0), "targets[0]"));
    }
}
