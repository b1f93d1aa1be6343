package dev.orpo.cli.demo;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.eval.Metric;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.stages.evaluate.ModelEvaluation;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Map;

/**
 * The seed-style result: base vs tuned (held-out preference accuracy and margins, exact match of greedy replies to
 * held-out prompts, multiple-choice acc / acc_norm) from the final {@code EvaluationCompleted}, greedy generations of
 * both models side by side, and the verdict: the tuned model's held-out reward accuracy and exact match must be above
 * the base's.
 */
final class DemoReport {
    static final String ACCURACY = "eval_rewards/accuracies";
    static final String MARGINS = "eval_rewards/margins";

    private DemoReport() {
    }

    /** The columns worth showing, in this order, when the table has them (then exact match, then acc / acc_norm). */
    private static final List<String> PREFERRED = List.of(ACCURACY, MARGINS, "eval_rewards/chosen",
            "eval_rewards/rejected", "eval_loss", ModelScores.AVERAGE);
    private static final String EXACT_MATCH = "/" + Metric.EXACT_MATCH.key();

    /** Prints the table; returns null when the gain holds, else why it does not. */
    static String printTable(PrintWriter out, Map<String, Map<String, Double>> table) {
        if (table == null || !table.containsKey("base") || !table.containsKey("tuned")) {
            return "the final evaluation has no base and tuned rows: " + (table == null ? "no table" : table.keySet());
        }
        Set<String> columns = new LinkedHashSet<>();
        PREFERRED.stream().filter(c -> table.get("tuned").containsKey(c)).forEach(columns::add);
        table.get("tuned").keySet().stream().filter(c -> c.endsWith(EXACT_MATCH)).forEach(columns::add);
        table.get("tuned").keySet().stream().filter(c -> c.endsWith("/acc") || c.endsWith("/acc_norm"))
                .forEach(columns::add);
        out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", "", "base", "tuned", "change");
        for (String c : columns) {
            Double b = table.get("base").get(c);
            Double t = table.get("tuned").get(c);
            out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", label(c), fmt(c, b), fmt(c, t),
                    b == null || t == null ? "" : EvalReport.signed(c, t - b));
        }
        Double base = table.get("base").get(ACCURACY);
        Double tuned = table.get("tuned").get(ACCURACY);
        if (base == null || tuned == null) {
            return "the final evaluation reports no " + ACCURACY + " for base and tuned (columns "
                    + table.get("tuned").keySet() + ")";
        }
        if (!(tuned > base)) {
            return String.format(Locale.ROOT, "no learning: tuned held-out reward accuracy %.4f is not above the"
                    + " base's %.4f", tuned, base);
        }
        for (String c : columns) {
            Double b = table.get("base").get(c);
            Double t = table.get("tuned").get(c);
            if (c.endsWith(EXACT_MATCH) && b != null && t != null && !(t > b)) {
                return String.format(Locale.ROOT, "no gain in %s: tuned %.2f is not above the base's %.2f", c, t, b);
            }
        }
        return null;
    }

    /** Greedy replies of the base and the tuned (merged) model to each prompt, side by side. */
    static void printGenerations(PrintWriter out, Path baseDir, Path tunedDir, List<String> prompts, int maxNewTokens)
            throws IOException {
        List<String> base = generate(baseDir, baseDir, prompts, maxNewTokens);
        List<String> tuned = generate(tunedDir, baseDir, prompts, maxNewTokens);
        out.printf(Locale.ROOT, "%-22s %-24s %-24s%n", "prompt", "base", "tuned");
        for (int i = 0; i < prompts.size(); i++) {
            out.printf(Locale.ROOT, "%-22s %-24s %-24s%n", prompts.get(i), quote(base.get(i)), quote(tuned.get(i)));
        }
    }

    private static List<String> generate(Path modelDir, Path tokenizerDir, List<String> prompts, int maxNewTokens)
            throws IOException {
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir);
             NDManager manager = NDManager.newBaseManager();
             LlamaModel lm = PretrainedLlama.load(modelDir, manager)) {
            return ModelEvaluation.replies(lm, tokenizer, manager, prompts, maxNewTokens).stream()
                    .map(PromptSample::reply).toList();
        }
    }

    /** One line, control characters (a random model emits raw bytes) shown as '·' so the columns stay aligned. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c == '\n') {
                sb.append("\\n");
            } else if (Character.isISOControl(c) || !Character.isDefined(c)) {
                sb.append('·');
            } else {
                sb.appendCodePoint(c);
            }
        });
        String one = sb.toString();
        return "\"" + (one.length() > 20 ? one.substring(0, 19) + "…" : one) + "\"";
    }

    private static String label(String column) {
        if (column.endsWith(EXACT_MATCH)) {
            return "held-out exact match";
        }
        return switch (column) {
            case ACCURACY -> "held-out reward accuracy";
            case MARGINS -> "held-out reward margin";
            default -> column;
        };
    }

    private static String fmt(String column, Double v) {
        return v == null ? "-" : EvalReport.format(column, v);
    }
}
