package dev.orpo.stages.merge;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.merge.MergeResult;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The README.md of a merged model: what it was made from and how (the run's recipe), and the final metrics. */
final class ModelCard {
    private ModelCard() {
    }

    static String render(String runId, long step, boolean finalModel, TrainingRequest request,
                         Map<String, Double> metrics, MergeResult merged) {
        var yaml = Json.yaml().copy().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        StringBuilder md = new StringBuilder();
        md.append("---\n")
                .append("base_model: ").append(request.model().nameOrPath()).append('\n')
                .append("library_name: transformers\n")
                .append("tags: [orpo, lora, merged]\n")
                .append("datasets: [").append(request.dataset().uri()).append("]\n")
                .append("---\n\n")
                .append("# ").append(runId).append(finalModel ? " (final)" : " (step " + step + ")").append("\n\n")
                .append("A LoRA adapter trained with ORPO (Hong, Lee & Thorne 2024), merged into its base model ")
                .append("(`W' = W + scaling * B @ A`).\n\n")
                .append("- base model: `").append(request.model().nameOrPath()).append("` (revision `")
                .append(request.model().revision()).append("`)\n")
                .append("- dataset: `").append(request.dataset().uri()).append("`\n")
                .append("- checkpoint: step ").append(step).append('\n')
                .append("- chat template: ").append(request.chatTemplate().mode()).append('\n')
                .append(String.format(Locale.ROOT, "- weights: %s, %d tensors (%d LoRA-merged, %d replaced), vocab %d%n",
                        merged.dtype().torchName(), merged.tensors(), merged.loraModules(), merged.replacedModules(),
                        merged.vocabSize()));
        try {
            md.append("\n## Recipe\n\n```yaml\n")
                    .append(yaml.writeValueAsString(recipe(request)).replaceFirst("^---\\n", ""))
                    .append("```\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render the recipe", e);
        }
        md.append("\n## Metrics at this checkpoint\n\n");
        if (metrics == null || metrics.isEmpty()) {
            md.append("(none reported)\n");
        } else {
            md.append("| metric | value |\n|---|---|\n");
            new TreeMap<>(metrics).forEach((k, v) -> md.append("| ").append(k).append(" | ")
                    .append(String.format(Locale.ROOT, "%.6g", v)).append(" |\n"));
        }
        return md.toString();
    }

    private static Map<String, Object> recipe(TrainingRequest request) {
        Map<String, Object> r = new java.util.LinkedHashMap<>(); // fixed order: equal runs give equal cards
        r.put("lora", request.lora());
        r.put("training", request.training());
        r.put("merge", request.merge());
        return r;
    }
}
