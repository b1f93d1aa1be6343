package dev.orpo.trainer;

import dev.orpo.contracts.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.model.io.FileTrees;
import dev.orpo.stages.resolve.ArtifactException;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.store.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    @Inject
    Artifacts resolver;

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

    /** Downloads {@code dataset_uri} (an s3:// prefix) into {@code runDir/dataset}. */
    Path downloadDataset(String datasetUri, Path runDir) {
        try {
            return resolver.download(datasetUri, runDir.resolve("dataset"));
        } catch (ArtifactException e) {
            throw new StageFailure("dataset_uri", e.getMessage(), e);
        }
    }

    /**
     * The base model as a local directory, through the dataset stage's resolver: the store copy dataset-service made
     * ({@code mirror_uri}), a local path, an {@code s3://} prefix (downloaded once into {@code work-dir/cache/}), or a
     * hub id where hub access is enabled.
     */
    Path resolveModel(ModelSpec spec) {
        try {
            return resolver.model(spec);
        } catch (ArtifactException e) {
            throw new StageFailure("model.name_or_path", e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
