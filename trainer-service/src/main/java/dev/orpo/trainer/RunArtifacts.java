package dev.orpo.trainer;

import dev.orpo.contracts.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The object-store side of a training run: downloads of the prepared dataset and the base model, checkpoint uploads
 * to {@code runs/<id>/checkpoints/step-<n>/}, the latest complete checkpoint for a resume, and the completion marker
 * {@code runs/<id>/checkpoints/_COMPLETED} that makes a redelivered DatasetPrepared a no-op.
 */
@ApplicationScoped
public class RunArtifacts {
    public static final String COMPLETED_MARKER = "_COMPLETED";
    /** A checkpoint counts for resume only when every file the trainer resumes from was uploaded. */
    static final List<String> RESUME_FILES = List.of("adapter_config.json", "adapter_model.safetensors",
            "optimizer.safetensors", "trainer_state.json");

    @Inject
    ObjectStore store;

    @ConfigProperty(name = "orpo.work-dir")
    Path workDir;

    ObjectStoreLayout layout() {
        return new ObjectStoreLayout(store.bucket());
    }

    /** A fresh local working directory for one run (an old one from a crashed attempt is removed). */
    Path runDir(String runId) {
        Path dir = workDir.resolve("trainer").resolve(runId);
        deleteTree(dir);
        return dir;
    }

    boolean completed(String runId) {
        return store.exists(layout().checkpointsPrefix(runId) + COMPLETED_MARKER);
    }

    void markCompleted(String runId, long finalStep, String adapterUri, boolean cancelled) {
        String json = Json.toJson(Map.of("final_step", finalStep, "adapter_uri", adapterUri, "cancelled", cancelled));
        store.putBytes(layout().checkpointsPrefix(runId) + COMPLETED_MARKER, json.getBytes(StandardCharsets.UTF_8));
    }

    /** The highest step whose resume files are all in the store. */
    Optional<Integer> latestCheckpoint(String runId) {
        String prefix = layout().checkpointsPrefix(runId);
        List<String> keys = store.list(prefix);
        return keys.stream()
                .map(k -> k.substring(prefix.length()))
                .filter(k -> k.matches("step-\\d+/.*"))
                .map(k -> Integer.parseInt(k.substring(5, k.indexOf('/'))))
                .distinct()
                .filter(step -> RESUME_FILES.stream().allMatch(f -> keys.contains(
                        layout().checkpointPrefix(runId, step) + f)))
                .max(Comparator.naturalOrder());
    }

    Path downloadCheckpoint(String runId, int step, Path runDir) {
        Path dir = runDir.resolve("resume").resolve("step-" + step);
        store.getDirectory(layout().checkpointPrefix(runId, step), dir);
        return dir;
    }

    /** Uploads a checkpoint directory; returns file name → SHA-256 and the URI it went to. */
    Map<String, String> uploadCheckpoint(String runId, int step, Path dir) {
        return store.putDirectory(layout().checkpointPrefix(runId, step), dir);
    }

    String checkpointUri(String runId, long step) {
        return layout().uri(layout().checkpointPrefix(runId, step));
    }

    /** Downloads {@code dataset_uri} (a prefix in this service's bucket) into {@code runDir/dataset}. */
    Path downloadDataset(String datasetUri, Path runDir) {
        String prefix = keyInOurBucket(datasetUri, "dataset_uri");
        Path dir = runDir.resolve("dataset");
        if (store.getDirectory(prefix, dir).isEmpty()) {
            throw new StageFailure("dataset_uri", "nothing stored under " + datasetUri);
        }
        return dir;
    }

    /**
     * The base model as a local directory: an existing local path, or an {@code s3://} prefix in this service's
     * bucket downloaded once into {@code work-dir/models/<sha256 of the uri>/} (reused while its {@code .complete}
     * marker exists). Hub ids need the dataset stage's resolver (not wired here yet) and fail clearly.
     */
    Path resolveModel(ModelSpec spec) {
        String name = spec.nameOrPath();
        if (S3Uri.isS3Uri(name)) {
            String prefix = keyInOurBucket(name, "model.name_or_path");
            Path dir = workDir.resolve("models").resolve(sha256(name));
            Path complete = dir.resolve(".complete");
            if (!Files.exists(complete)) {
                deleteTree(dir);
                if (store.getDirectory(prefix, dir).isEmpty()) {
                    throw new StageFailure("model.name_or_path", "nothing stored under " + name);
                }
                try {
                    Files.writeString(complete, name);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot mark model cache " + dir, e);
                }
            }
            return dir;
        }
        Path local = Path.of(name);
        if (Files.isDirectory(local)) {
            return local;
        }
        throw new StageFailure("model.name_or_path", "model '" + name + "' is neither a local directory nor an"
                + " s3:// URI; hub ids are not resolved by trainer-service yet");
    }

    private String keyInOurBucket(String uri, String field) {
        S3Uri parsed;
        try {
            parsed = S3Uri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new StageFailure(field, field + " '" + uri + "' is not an s3:// URI: " + e.getMessage());
        }
        if (!parsed.bucket().equals(store.bucket())) {
            throw new StageFailure(field, field + " " + uri + " is outside this pipeline's bucket " + store.bucket());
        }
        return parsed.key().endsWith("/") || parsed.key().isEmpty() ? parsed.key() : parsed.key() + "/";
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
