package dev.orpo.cli;

import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The request a local stage command ({@code orpo prepare}, {@code orpo train}) runs with: {@code --config FILE} (or
 * every default), the command's own model and data, then each {@code --set KEY=VALUE}, validated as a whole by the
 * request's rules, so a local run and the pipeline accept exactly the same settings.
 */
final class LocalRequest {
    private LocalRequest() {
    }

    /**
     * @param qualify maps a {@code --set} key to its dotted wire path (e.g. {@code r} → {@code lora.r})
     * @throws dev.orpo.contracts.request.InvalidRequestException naming every bad field
     */
    static TrainingRequest of(Path config, String model, String datasetUri, List<String> sets,
                              UnaryOperator<String> qualify) throws IOException {
        TrainingRequest base = config == null
                ? new TrainingRequest(ModelSpec.of(model), DatasetSpec.of(datasetUri), null, null, null, null, null,
                null)
                : RequestParser.parseFile(config);
        return RequestOverrides.apply(base, Map.of("model.name_or_path", model, "dataset.uri", datasetUri), sets,
                qualify);
    }
}
