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
 * </pre>
 */
public record ObjectStoreLayout(String bucket) {
    /** Default bucket: one bucket for the pipeline, one prefix per run. */
    public static final String DEFAULT_BUCKET = "orpo";

    public ObjectStoreLayout {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
    }

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

    /** {@code s3://bucket/key}. */
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }
}
