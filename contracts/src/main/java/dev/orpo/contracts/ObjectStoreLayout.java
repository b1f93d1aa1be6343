package dev.orpo.contracts;

import dev.orpo.contracts.events.EvaluationCompleted;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a run's artifacts live in the object store (MinIO in a cluster, S3Proxy locally): every key and marker the
 * pipeline writes is built here and nowhere else. Events carry these URIs, never the bytes.
 *
 * <pre>
 * s3://&lt;bucket&gt;/runs/&lt;runId&gt;/request.json
 *                          /dataset/manifest.json, prepare-result.json, train-*, test-*, rejects.jsonl, tokenizer/,
 *                                   _PUBLISHED
 *                          /checkpoints/step-&lt;n&gt;/adapter_config.json, adapter_model.safetensors, ...
 *                          /checkpoints/_PUBLISHED/step-&lt;n&gt;[-final], _COMPLETE, _LEASE
 *                          /merged/config.json, model*.safetensors, tokenizer*.json, README.md, _COMPLETE, _PUBLISHED
 *                          /merged/step-&lt;n&gt;/...  (merge.steps: intermediate checkpoints, same layout)
 *                          /eval/step-&lt;n&gt;.json, merged-step-&lt;n&gt;.json, report.json, report.md, _PUBLISHED/...
 * s3://&lt;bucket&gt;/models/&lt;name&gt;@&lt;sha&gt;/...      (orpo upload DIR: a model, _MANIFEST.json last)
 *                 /datasets/&lt;name&gt;@&lt;sha&gt;/... (orpo upload FILE: a dataset, _MANIFEST.json last)
 *                 /models/hub/&lt;org&gt;/&lt;name&gt;@&lt;revision&gt;/... (the one copy of a hub model, _MANIFEST.json last)
 * </pre>
 *
 * <p>{@code <sha>} of an upload is the first {@value #CONTENT_SHA_LENGTH} hex digits of the SHA-256 of its file list
 * ({@code sha256sum} lines {@code "<sha256>  <path>\n"}, sorted by path): the same files give the same prefix.
 *
 * <p>Markers: {@value #COMPLETE} is written last by the stage that fills a prefix (its presence means the prefix is
 * whole); {@value #PUBLISHED} is written once the event announcing it is on the broker (its presence means "announced:
 * never publish it again"). The trainer wrote {@value #LEGACY_TRAINING_COMPLETE} before; it is still read.
 */
public record ObjectStoreLayout(String bucket) {
    /** Default bucket: one bucket for the pipeline, one prefix per run. */
    public static final String DEFAULT_BUCKET = "orpo";
    /** Written last into a prefix: the prefix is complete. */
    public static final String COMPLETE = "_COMPLETE";
    /** Written after the prefix's event is on the broker: it is announced and never published again. */
    public static final String PUBLISHED = "_PUBLISHED";
    /** The trainer's completion marker up to this version; read (never written) so stored runs stay completed. */
    public static final String LEGACY_TRAINING_COMPLETE = "_COMPLETED";
    /** Which trainer replica holds a run ({@code owner}, {@code expires_at}). */
    public static final String LEASE = "_LEASE";
    /** The prepared dataset's manifest, uploaded last by the dataset stage. */
    public static final String DATASET_MANIFEST = "manifest.json";
    /** What DatasetPrepared carries, stored so a redelivery can answer without preparing again. */
    public static final String DATASET_RESULT = "prepare-result.json";
    /** The run's tokenizer directory inside the dataset prefix. */
    public static final String DATASET_TOKENIZER = "tokenizer";
    /** The checkpoint and merge target of one step: {@code step-<n>}. */
    private static final String STEP = "step-";
    private static final Pattern CHECKPOINT_KEY = Pattern.compile("runs/[^/]+/checkpoints/step-(\\d+)/.*");

    public ObjectStoreLayout {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
    }

    /** Written last under an upload or hub-mirror prefix: every file's SHA-256 and size (see {@code StoreManifest}). */
    public static final String MANIFEST = "_MANIFEST.json";
    /** Hex digits of the content hash in an upload's prefix: 48 bits, collision-free for any realistic store. */
    public static final int CONTENT_SHA_LENGTH = 12;
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public static ObjectStoreLayout defaults() {
        return new ObjectStoreLayout(DEFAULT_BUCKET);
    }

    /** {@code step-<n>}: a checkpoint's or merge target's name. */
    public static String stepName(long step) {
        return STEP + step;
    }

    public String runPrefix(String runId) {
        RunIds.requireValid(runId);
        return "runs/" + runId + "/";
    }

    public String requestKey(String runId) {
        return runPrefix(runId) + "request.json";
    }

    // dataset-service

    public String datasetPrefix(String runId) {
        return runPrefix(runId) + "dataset/";
    }

    public String datasetManifestKey(String runId) {
        return datasetPrefix(runId) + DATASET_MANIFEST;
    }

    public String datasetResultKey(String runId) {
        return datasetPrefix(runId) + DATASET_RESULT;
    }

    public String datasetTokenizerPrefix(String runId) {
        return datasetPrefix(runId) + DATASET_TOKENIZER + "/";
    }

    /** DatasetPrepared of the run is on the broker. */
    public String datasetPublishedKey(String runId) {
        return datasetPrefix(runId) + PUBLISHED;
    }

    // trainer-service

    public String checkpointsPrefix(String runId) {
        return runPrefix(runId) + "checkpoints/";
    }

    public String checkpointPrefix(String runId, long step) {
        return checkpointsPrefix(runId) + stepName(step) + "/";
    }

    /**
     * CheckpointSaved of that step is on the broker: {@code checkpoints/_PUBLISHED/step-<n>} ({@code step-<n>-final}
     * for the final checkpoint, which a cancel can announce again at a step already saved). Outside the checkpoint
     * directory, which holds only what the trainer wrote.
     */
    public String checkpointPublishedKey(String runId, long step, boolean finalCheckpoint) {
        return checkpointsPrefix(runId) + PUBLISHED + "/" + stepName(step) + (finalCheckpoint ? "-final" : "");
    }

    /** The run is trained (written after TrainingCompleted is on the broker). */
    public String trainingCompleteKey(String runId) {
        return checkpointsPrefix(runId) + COMPLETE;
    }

    /** Where earlier versions wrote {@link #trainingCompleteKey}; read only. */
    public String legacyTrainingCompleteKey(String runId) {
        return checkpointsPrefix(runId) + LEGACY_TRAINING_COMPLETE;
    }

    public String trainingLeaseKey(String runId) {
        return checkpointsPrefix(runId) + LEASE;
    }

    /** The step of a key under {@code runs/<id>/checkpoints/step-<n>/}, or empty for any other key. */
    public static OptionalLong checkpointStep(String key) {
        Matcher m = CHECKPOINT_KEY.matcher(key);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    // merger-service

    public String mergedPrefix(String runId) {
        return runPrefix(runId) + "merged/";
    }

    /** Where a merge of an intermediate checkpoint ({@code merge.steps}) goes: {@code runs/<id>/merged/step-<n>/}. */
    public String mergedPrefix(String runId, long step) {
        return mergedPrefix(runId) + stepName(step) + "/";
    }

    // eval-service

    public String evalPrefix(String runId) {
        return runPrefix(runId) + "eval/";
    }

    /** An uploaded model's prefix: {@code models/<name>@<sha>/} ({@code orpo upload DIR}). */
    public String uploadedModelPrefix(String name, String contentSha) {
        return "models/" + requireName(name) + "@" + requireSha(contentSha) + "/";
    }

    /** An uploaded dataset's prefix: {@code datasets/<name>@<sha>/} ({@code orpo upload FILE}). */
    public String uploadedDatasetPrefix(String name, String contentSha) {
        return "datasets/" + requireName(name) + "@" + requireSha(contentSha) + "/";
    }

    /**
     * The pipeline's one copy of a hub model at a revision: {@code models/hub/<org>/<name>@<revision>/} (characters
     * other than letters, digits, {@code . _ -} in the revision become {@code _}).
     */
    public String hubModelPrefix(String repoId, String revision) {
        String[] parts = repoId.split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("hub id must be <org>/<name>, was " + repoId);
        }
        return "models/hub/" + requireName(parts[0]) + "/" + requireName(parts[1]) + "@"
                + revision.replaceAll("[^A-Za-z0-9._-]", "_") + "/";
    }

    /** One target's table: {@code eval/step-<n>.json} (a checkpoint) or {@code eval/merged-step-<n>.json}. */
    public String evalTargetKey(String runId, String target, long step) {
        return evalPrefix(runId) + evalTargetName(target, step) + ".json";
    }

    public String evalReportKey(String runId) {
        return evalPrefix(runId) + "report.json";
    }

    public String evalReportMarkdownKey(String runId) {
        return evalPrefix(runId) + "report.md";
    }

    /** EvaluationCompleted of that target is on the broker. */
    public String evalPublishedKey(String runId, String target, long step) {
        return evalPrefix(runId) + PUBLISHED + "/" + evalTargetName(target, step);
    }

    private static String evalTargetName(String target, long step) {
        return (EvaluationCompleted.MERGED.equals(target) ? "merged-" : "") + stepName(step);
    }

    /** {@code s3://bucket/key}. */
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** An upload's or hub repository's name: letters, digits, {@code . _ -}, starting with a letter or digit. */
    public static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-' (not starting with a "
                    + "symbol), was " + name);
        }
        return name;
    }

    private static String requireSha(String sha) {
        if (sha == null || !sha.matches("[0-9a-f]{" + CONTENT_SHA_LENGTH + "}")) {
            throw new IllegalArgumentException("content sha must be " + CONTENT_SHA_LENGTH + " lower-case hex digits, "
                    + "was " + sha);
        }
        return sha;
    }
}
