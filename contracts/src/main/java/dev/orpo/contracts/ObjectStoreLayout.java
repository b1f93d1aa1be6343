package dev.orpo.contracts;

/**
 * Where a run's artifacts live in the object store (MinIO in a cluster, S3Proxy locally). Events carry these URIs,
 * never the bytes.
 *
 * <pre>
 * s3://&lt;bucket&gt;/runs/&lt;runId&gt;/request.json
 *                          /dataset/manifest.json, train-*.bin, test-*.bin, rejects.jsonl
 *                          /checkpoints/step-&lt;n&gt;/adapter_config.json, adapter_model.safetensors, trainer_state.json
 *                          /merged/config.json, model*.safetensors, tokenizer*.json, README.md, ..., _COMPLETE
 *                          /merged/step-&lt;n&gt;/...  (merge.steps: intermediate checkpoints, same layout)
 *                          /eval/report.json, report.md
 * s3://&lt;bucket&gt;/models/&lt;name&gt;@&lt;sha&gt;/...      (orpo upload DIR: a model, _MANIFEST.json last)
 *                 /datasets/&lt;name&gt;@&lt;sha&gt;/... (orpo upload FILE: a dataset, _MANIFEST.json last)
 *                 /models/hub/&lt;org&gt;/&lt;name&gt;@&lt;revision&gt;/... (the one copy of a hub model, _MANIFEST.json last)
 * </pre>
 *
 * <p>{@code <sha>} of an upload is the first {@value #CONTENT_SHA_LENGTH} hex digits of the SHA-256 of its file list
 * ({@code sha256sum} lines {@code "<sha256>  <path>\n"}, sorted by path): the same files give the same prefix.
 */
public record ObjectStoreLayout(String bucket) {
    /** Default bucket: one bucket for the pipeline, one prefix per run. */
    public static final String DEFAULT_BUCKET = "orpo";

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

    public String runPrefix(String runId) {
        RunIds.requireValid(runId);
        return "runs/" + runId + "/";
    }

    public String requestKey(String runId) {
        return runPrefix(runId) + "request.json";
    }

    public String datasetPrefix(String runId) {
        return runPrefix(runId) + "dataset/";
    }

    public String checkpointPrefix(String runId, long step) {
        return runPrefix(runId) + "checkpoints/step-" + step + "/";
    }

    public String checkpointsPrefix(String runId) {
        return runPrefix(runId) + "checkpoints/";
    }

    public String mergedPrefix(String runId) {
        return runPrefix(runId) + "merged/";
    }

    /** Where a merge of an intermediate checkpoint ({@code merge.steps}) goes: {@code runs/<id>/merged/step-<n>/}. */
    public String mergedPrefix(String runId, long step) {
        return mergedPrefix(runId) + "step-" + step + "/";
    }

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
