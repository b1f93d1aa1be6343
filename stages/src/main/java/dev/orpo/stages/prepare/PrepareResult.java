package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What one dataset preparation produced: the counts and hashes {@code DatasetPrepared} carries. Stored next to the
 * shards as {@value PrepareStage#RESULT_FILE} so a redelivered request can re-announce it without preparing again.
 *
 * @param datasetUri     {@code s3://.../runs/<id>/dataset/}, or the local output directory when nothing was uploaded
 * @param manifestSha256 SHA-256 of manifest.json
 * @param vocabSize      tokenizer size after chat-template setup (ChatML adds tokens)
 * @param embeddingRows  rows the model's embeddings must be resized to, or null to keep the model's
 * @param addedTokens    special tokens the chat-template setup added
 * @param modelMirrorUri the object-store copy of a hub or local base model the stage made
 *                       ({@code Artifacts#mirror}), for the request later events carry; null when none was needed
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PrepareResult(String datasetUri, String manifestSha256, long read, long kept, long rejectedRows,
                            long trainRows, long testRows, long trainTokens, long testTokens, int vocabSize,
                            Integer embeddingRows, int addedTokens, String modelMirrorUri) {
}
