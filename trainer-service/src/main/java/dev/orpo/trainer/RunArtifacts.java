package dev.orpo.trainer;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.train.Checkpoints;
import dev.orpo.stages.resolve.ArtifactException;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.store.ObjectStore;
import jakarta.annotation.PostConstruct;
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
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The object-store side of a training run (keys from {@link ObjectStoreLayout}): downloads of the prepared dataset
 * and the base model, checkpoint uploads to {@code runs/<id>/checkpoints/step-<n>/} and their published markers, the
 * latest complete checkpoint for a resume, and the completion marker {@code runs/<id>/checkpoints/_COMPLETE} that
 * makes a redelivered DatasetPrepared a no-op (the {@code _COMPLETED} of earlier versions counts too).
 */
@ApplicationScoped
public class RunArtifacts {
    /** A checkpoint counts for resume only when every file the trainer resumes from was uploaded. */
    static final List<String> RESUME_FILES = List.of("adapter_config.json", "adapter_model.safetensors",
            Checkpoints.OPTIMIZER_FILE, "trainer_state.json");

    @Inject
    ObjectStore store;

    @ConfigProperty(name = "orpo.work-dir")
    Path workDir;

    @Inject
    Artifacts resolver;

    private ObjectStoreLayout layout;

    @PostConstruct
    void init() {
        layout = new ObjectStoreLayout(store.bucket());
    }

    /** A fresh local working directory for one run (an old one from a crashed attempt is removed). */
    Path runDir(String runId) {
        Path dir = workDir.resolve("trainer").resolve(runId);
        deleteTree(dir);
        return dir;
    }

    boolean completed(String runId) {
        return store.exists(layout.trainingCompleteKey(runId)) || store.exists(layout.legacyTrainingCompleteKey(runId));
    }

    void markCompleted(String runId, long finalStep, String adapterUri, boolean cancelled) {
        String json = Json.toJson(Map.of("final_step", finalStep, "adapter_uri", adapterUri, "cancelled", cancelled));
        store.putBytes(layout.trainingCompleteKey(runId), json.getBytes(StandardCharsets.UTF_8));
    }

    /** The highest step whose resume files are all in the store. */
    Optional<Integer> latestCheckpoint(String runId) {
        List<String> keys = store.list(layout.checkpointsPrefix(runId));
        return keys.stream()
                .map(ObjectStoreLayout::checkpointStep)
                .filter(OptionalLong::isPresent)
                .map(step -> (int) step.getAsLong())
                .distinct()
                .filter(step -> RESUME_FILES.stream().allMatch(f -> keys.contains(
                        layout.checkpointPrefix(runId, step) + f)))
                .max(Comparator.naturalOrder());
    }

    /** Downloads a stored checkpoint into a {@code step-<n>} directory, as the trainer names them. */
    Path downloadCheckpoint(String runId, int step, Path runDir) {
        Path dir = runDir.resolve("resume").resolve(Checkpoints.dirName(step));
        store.getDirectory(layout.checkpointPrefix(runId, step), dir);
        return dir;
    }

    /** Uploads a checkpoint directory; returns file name → SHA-256. */
    Map<String, String> uploadCheckpoint(String runId, int step, Path dir) {
        return store.putDirectory(layout.checkpointPrefix(runId, step), dir);
    }

    /** File name → SHA-256 of a stored checkpoint, as {@link #uploadCheckpoint} returned them. */
    Map<String, String> storedCheckpointFiles(String runId, int step) {
        String prefix = layout.checkpointPrefix(runId, step);
        Map<String, String> files = new TreeMap<>();
        for (String key : store.list(prefix)) {
            files.put(key.substring(prefix.length()), store.storedSha256(key).orElse(""));
        }
        return files;
    }

    boolean checkpointPublished(String runId, int step, boolean finalCheckpoint) {
        return store.exists(layout.checkpointPublishedKey(runId, step, finalCheckpoint));
    }

    String checkpointPublishedKey(String runId, int step, boolean finalCheckpoint) {
        return layout.checkpointPublishedKey(runId, step, finalCheckpoint);
    }

    /** What tells CheckpointSaved facts of one run apart: {@code step-<n>} or {@code step-<n>-final}. */
    String checkpointName(int step, boolean finalCheckpoint) {
        return ObjectStoreLayout.stepName(step) + (finalCheckpoint ? "-final" : "");
    }

    String checkpointUri(String runId, long step) {
        return layout.uri(layout.checkpointPrefix(runId, step));
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
