package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;
import java.util.List;

/**
 * The dataset is tokenized and split. Consumed by trainer-service.
 *
 * @param datasetUri  {@code s3://.../runs/<runId>/dataset/} holding the shards and manifest.json
 * @param trainRows   preference pairs in the train split
 * @param testRows    pairs in the held-out split
 * @param vocabSize   tokenizer vocabulary after chat-template setup (larger than the model's when tokens were added)
 * @param request     the run's request, carried along so consumers need not look back
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DatasetPrepared(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                              String datasetUri, String manifestSha256, long trainRows, long testRows,
                              long rejectedRows, long trainTokens, int vocabSize, TrainingRequest request)
        implements PipelineEvent {
    @Override
    public List<String> missingFields() {
        return PipelineEvent.nullFields("dataset_uri", datasetUri, "request", request);
    }

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static DatasetPrepared of(Envelope e, String datasetUri, String manifestSha256, long trainRows,
                                     long testRows, long rejectedRows, long trainTokens, int vocabSize,
                                     TrainingRequest request) {
        return new DatasetPrepared(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(),
                datasetUri, manifestSha256, trainRows, testRows, rejectedRows, trainTokens, vocabSize, request);
    }
}
