package dev.orpo.stages.merge;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.io.DType;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.model.merge.MergeResult;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.resolve.ArtifactException;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The merge stage: base model (via {@link Artifacts}) + a run's adapter checkpoint + the run's tokenizer
 * ({@code runs/<id>/dataset/tokenizer/}, so ChatML tokens and template carry over) → {@link AdapterMerger#merge} →
 * a model card README.md → uploaded to {@code runs/<id>/merged/} (final) or {@code runs/<id>/merged/step-<n>/}, files
 * first and {@value #COMPLETE} (file → sha256, plus the merge's figures) last. A target whose {@value #COMPLETE}
 * exists is never merged again. When the request names {@code merge.push_to_hub}, the final model's files (those of
 * the object store, without {@value #COMPLETE}) are then pushed to that hub repo with {@link HubPush}; a failed push
 * is a {@link StageFailure} naming the repo, the object-store copy staying complete.
 */
public final class MergeStage {
    public static final String STAGE = "merge";
    public static final String COMPLETE = ObjectStoreLayout.COMPLETE;
    public static final String MODEL_CARD = "README.md";
    private static final Pattern ADAPTER_TENSOR = Pattern.compile("adapter tensor (\\S+)");

    /**
     * One merge to do.
     *
     * @param finalModel    the run's final adapter (→ {@code merged/}); else an intermediate step (→ {@code merged/step-<n>/})
     * @param checkpointUri {@code s3://.../checkpoints/step-<n>/} holding adapter_config.json + adapter_model.safetensors
     * @param metrics       reported with the checkpoint; go into the model card
     */
    public record Target(String runId, long step, boolean finalModel, String checkpointUri,
                         Map<String, Double> metrics, TrainingRequest request) {
    }

    /** What {@value #COMPLETE} records (and {@code ModelMerged} carries). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Merged(String modelUri, long step, String dtype, int tensors, long bytes,
                         Map<String, String> files) {
    }

    private final HubPush hub;

    /** A merge stage without hub access: a request with {@code merge.push_to_hub} fails after the upload. */
    public MergeStage() {
        this(null);
    }

    /** @param hub where {@code merge.push_to_hub} pushes to (base URL + HF_TOKEN); null: no hub configured */
    public MergeStage(HubPush hub) {
        this.hub = hub;
    }

    /** The merged-model prefix of a target. */
    public static String prefix(ObjectStoreLayout layout, Target t) {
        return t.finalModel() ? layout.mergedPrefix(t.runId()) : layout.mergedPrefix(t.runId(), t.step());
    }

    /**
     * Written by the caller once ModelMerged is on the broker: a merge with {@value #COMPLETE} but without it was
     * interrupted between the upload and the event (or its hub push failed) and is finished on redelivery.
     */
    public static String publishedKey(ObjectStoreLayout layout, Target t) {
        return prefix(layout, t) + ObjectStoreLayout.PUBLISHED;
    }

    /** Whether the target's ModelMerged was published ({@link #publishedKey} exists). */
    public static boolean published(ObjectStore store, ObjectStoreLayout layout, Target t) {
        return store.exists(publishedKey(layout, t));
    }

    /**
     * For a target merged before (its {@value #COMPLETE} exists) whose event was never published: pushes the stored
     * files to {@code merge.push_to_hub} when the request asks for it (final model only), as {@link #run} would have.
     */
    public void pushStored(Target t, Merged merged, Artifacts artifacts, ObjectStoreLayout layout, Path workDir)
            throws IOException {
        String repo = t.request().merge().pushToHub();
        if (!t.finalModel() || repo == null) {
            return;
        }
        ObjectStore store = artifacts.store(layout.bucket());
        Path dir = workDir.resolve(t.runId()).resolve("push-" + t.step());
        FileTrees.deleteRecursively(dir);
        try {
            for (String file : merged.files().keySet()) {
                store.getFile(prefix(layout, t) + file, dir.resolve(file));
            }
            push(t.runId(), repo, t.request().merge().hubPrivateRepo(), dir, merged.modelUri());
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }

    /** The finished merge of this target, if its {@value #COMPLETE} exists. */
    public static Optional<Merged> completed(ObjectStore store, ObjectStoreLayout layout, Target t) {
        String key = prefix(layout, t) + COMPLETE;
        return store.exists(key) ? Optional.of(Json.fromBytes(store.getBytes(key), Merged.class)) : Optional.empty();
    }

    /** Downloads, merges into {@code workDir/<run>/merge-<target>/}, uploads; throws {@link StageFailure} on bad input. */
    public Merged run(Target t, Artifacts artifacts, ObjectStoreLayout layout, Path workDir) throws IOException {
        ObjectStore store = artifacts.store(layout.bucket());
        Path base;
        try {
            base = artifacts.model(t.request().model());
        } catch (ArtifactException e) {
            throw new StageFailure(STAGE, e.getMessage(), List.of(new FieldError("model.name_or_path", e.getMessage())), e);
        }
        Path dir = workDir.resolve(t.runId()).resolve(t.finalModel() ? "merge-final" : "merge-step-" + t.step());
        FileTrees.deleteRecursively(dir);
        Path adapter = dir.resolve("adapter");
        try {
            artifacts.download(t.checkpointUri().endsWith("/") ? t.checkpointUri() : t.checkpointUri() + "/", adapter);
        } catch (ArtifactException | ObjectStoreException e) {
            throw new StageFailure(STAGE, "cannot download the adapter " + t.checkpointUri() + ": " + e.getMessage(),
                    List.of(new FieldError("checkpoint_uri", e.getMessage())), e);
        }
        // the run's tokenizer (chat template, added ChatML tokens) wins over the base's: AdapterMerger copies the
        // adapter directory's tokenizer files last
        String tokenizerPrefix = layout.datasetTokenizerPrefix(t.runId());
        if (!store.list(tokenizerPrefix).isEmpty()) {
            store.getDirectory(tokenizerPrefix, adapter);
        }
        Path out = dir.resolve("model");
        MergeResult r = merge(base, adapter, out, t.request().merge().dtype());
        Files.writeString(out.resolve(MODEL_CARD), ModelCard.render(t.runId(), t.step(), t.finalModel(), t.request(),
                t.metrics(), r), StandardCharsets.UTF_8);

        String prefix = prefix(layout, t);
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = out.relativize(f).toString().replace('\\', '/');
                files.put(rel, store.putFile(prefix + rel, f));
            }
        }
        Merged merged = new Merged(layout.uri(prefix), t.step(), r.dtype().torchName(), r.tensors(), r.tensorBytes(),
                files);
        store.putBytes(prefix + COMPLETE, Json.toBytes(merged)); // last: marks the merge done
        try {
            String repo = t.request().merge().pushToHub();
            if (t.finalModel() && repo != null) {
                push(t.runId(), repo, t.request().merge().hubPrivateRepo(), out, merged.modelUri());
            }
        } finally {
            FileTrees.deleteRecursively(dir);
        }
        return merged;
    }

    /** The final model's files to {@code merge.push_to_hub}; failures name the repo and where the model still is. */
    private void push(String runId, String repo, boolean privateRepo, Path out, String modelUri) {
        String reason = null;
        Exception cause = null;
        if (hub == null) {
            reason = "hub access is disabled on the merger (orpo.hub.enabled=false)";
        } else if (!hub.hasToken()) {
            reason = "no hub token: set HF_TOKEN on the merger to a token with write access";
        } else {
            try {
                hub.push(repo, out, privateRepo, "ORPO run " + runId + ": merged model");
            } catch (IOException e) {
                reason = e.getMessage();
                cause = e;
            }
        }
        if (reason != null) {
            throw new StageFailure(STAGE, "cannot push the merged model to hub repo " + repo + ": " + reason
                    + " (the merged model is complete at " + modelUri + ")",
                    List.of(new FieldError("merge.push_to_hub", reason)), cause);
        }
    }

    /** {@link AdapterMerger#merge} with the request's dtype; an adapter that does not fit names its tensors. */
    public static MergeResult merge(Path base, Path adapter, Path out, String dtype) {
        MergeOptions options;
        try {
            options = MergeOptions.defaults().withOutputDtype(dtype == null ? null : DType.fromTorchName(dtype));
        } catch (IllegalArgumentException e) {
            throw new StageFailure(STAGE, e.getMessage(), List.of(new FieldError("merge.dtype", e.getMessage())), e);
        }
        try {
            return AdapterMerger.merge(base, adapter, out, options);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            List<FieldError> errors = new ArrayList<>();
            for (String line : e.getMessage().split("\n")) {
                Matcher m = ADAPTER_TENSOR.matcher(line);
                if (m.find()) {
                    errors.add(new FieldError("adapter." + m.group(1), line.strip()));
                }
            }
            if (errors.isEmpty()) {
                errors.add(new FieldError("adapter", e.getMessage()));
            }
            throw new StageFailure(STAGE, e.getMessage().lines().findFirst().orElse("merge failed"), errors, e);
        }
    }
}
