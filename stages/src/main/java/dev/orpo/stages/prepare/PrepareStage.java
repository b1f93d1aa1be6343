package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.io.FileTrees;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.resolve.ArtifactException;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.store.ObjectStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The dataset stage of a run: copy a hub or local base model into the object store once ({@link Artifacts#mirror};
 * later stages read that copy), fetch only its config and tokenizer files and the dataset, set up the tokenizer
 * (chat-template mode, ChatML tokens), tokenize and split with {@link DatasetPreparer}, and publish the output directory (plus the tokenizer in
 * {@value #TOKENIZER_DIR}/) under {@code runs/<id>/dataset/}. {@code manifest.json} is uploaded last: its presence
 * means the stage finished. {@code orpo prepare} runs {@link #prepareLocal} (same bytes, no upload).
 */
public final class PrepareStage {
    public static final String STAGE = "dataset";
    public static final String MANIFEST = ObjectStoreLayout.DATASET_MANIFEST;
    public static final String REJECTS = "rejects.jsonl";
    public static final String RESULT_FILE = ObjectStoreLayout.DATASET_RESULT;
    /** The run's tokenizer (possibly ChatML-extended), for trainer, merger and eval. */
    public static final String TOKENIZER_DIR = ObjectStoreLayout.DATASET_TOKENIZER;
    /** How many rejected rows a failure names (the rest are in rejects.jsonl). */
    static final int ERRORS_NAMED = 10;

    private final PrepareStageConfig config;

    public PrepareStage(PrepareStageConfig config) {
        this.config = config;
    }

    /** Resolves, prepares into {@code workDir/<runId>/dataset} and uploads to the run's dataset prefix. */
    public PrepareResult run(String runId, TrainingRequest request, Artifacts artifacts, ObjectStoreLayout layout,
                             Path workDir) throws IOException {
        Path outDir = workDir.resolve(runId).resolve(STAGE);
        Path scratch = workDir.resolve(runId).resolve("mirror");
        ModelSpec model = resolve("model.name_or_path", () -> artifacts.mirror(request.model(), scratch));
        FileTrees.deleteRecursively(scratch);
        Path tokenizerDir = resolve("model.name_or_path", () -> artifacts.tokenizer(model));
        Path dataFile = resolve("dataset.uri", () -> artifacts.dataset(request.dataset()));
        FileTrees.deleteRecursively(outDir); // leftovers of an attempt that died half-way
        PrepareResult local = prepareLocal(request, tokenizerDir, dataFile, outDir);
        String prefix = layout.datasetPrefix(runId);
        PrepareResult result = new PrepareResult(layout.uri(prefix), local.manifestSha256(), local.read(),
                local.kept(), local.rejectedRows(), local.trainRows(), local.testRows(), local.trainTokens(),
                local.testTokens(), local.vocabSize(), local.embeddingRows(), local.addedTokens(), model.mirrorUri());
        ObjectStore store = artifacts.store(layout.bucket());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(outDir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            if (!f.getFileName().toString().equals(MANIFEST) || !f.getParent().equals(outDir)) {
                store.putFile(prefix + outDir.relativize(f).toString().replace('\\', '/'), f);
            }
        }
        store.putBytes(layout.datasetResultKey(runId), Json.toBytes(result));
        store.putFile(layout.datasetManifestKey(runId), outDir.resolve(MANIFEST)); // last: marks the stage done
        return result;
    }

    /** The result of an earlier, finished preparation of this run (its manifest.json exists), if any. */
    public static Optional<PrepareResult> alreadyPrepared(ObjectStore store, ObjectStoreLayout layout, String runId) {
        if (!store.exists(layout.datasetManifestKey(runId)) || !store.exists(layout.datasetResultKey(runId))) {
            return Optional.empty();
        }
        return Optional.of(Json.fromBytes(store.getBytes(layout.datasetResultKey(runId)), PrepareResult.class));
    }

    /**
     * Prepares a local dataset file with a local model's tokenizer into {@code outDir} (must be empty or absent):
     * shards, rejects.jsonl, manifest.json and {@value #TOKENIZER_DIR}/.
     *
     * @throws StageFailure when the tokenizer or dataset cannot be read, or too many rows are rejected
     */
    public PrepareResult prepareLocal(TrainingRequest request, Path modelDir, Path dataFile, Path outDir)
            throws IOException {
        TokenizerSetup.Prepared prepared;
        try {
            prepared = TokenizerSetup.load(modelDir, request.chatTemplate());
        } catch (IOException | UncheckedIOException e) {
            throw fail("cannot load the tokenizer of " + modelDir, "model.name_or_path", e);
        } catch (IllegalArgumentException e) {
            throw fail("cannot set up the chat template", "chat_template", e);
        }
        try (prepared) {
            DatasetPreparer.PreparationResult r;
            try {
                r = new DatasetPreparer(TokenizerSetup.preferenceTokenizer(prepared, request.training()),
                        prepared.tokenizer().fingerprint(), config.options()).prepare(request.dataset(), dataFile, outDir);
            } catch (IOException | IllegalArgumentException | IllegalStateException e) {
                throw fail("cannot prepare dataset " + request.dataset().uri(), "dataset.uri", e);
            }
            checkRejects(request, r, outDir);
            prepared.tokenizer().save(outDir.resolve(TOKENIZER_DIR));
            return new PrepareResult(outDir.toString(), r.manifestSha256(), r.read(), r.kept(), r.rejected(),
                    r.trainRows(), r.testRows(), r.trainTokens(), r.testTokens(), prepared.tokenizer().size(),
                    prepared.embeddingRows(), prepared.addedTokens(), null);
        }
    }

    private void checkRejects(TrainingRequest request, DatasetPreparer.PreparationResult r, Path outDir)
            throws IOException {
        String uri = request.dataset().uri();
        if (r.read() == 0) {
            throw new StageFailure(STAGE, "dataset " + uri + " has no rows",
                    List.of(new FieldError("dataset.uri", "no rows")));
        }
        if (r.rejected() > config.maxRejectFraction() * r.read()) {
            List<FieldError> errors = new ArrayList<>();
            try (Stream<String> lines = Files.lines(outDir.resolve(REJECTS))) {
                for (String line : (Iterable<String>) lines.limit(ERRORS_NAMED)::iterator) {
                    JsonNode n = Json.mapper().readTree(line);
                    errors.add(new FieldError("dataset.rows[" + n.path("row").asLong() + "]", n.path("reason").asText()));
                }
            }
            throw new StageFailure(STAGE, String.format("%d of %d rows of %s rejected (more than %.0f%%); first reasons "
                    + "listed, all in rejects.jsonl", r.rejected(), r.read(), uri, 100 * config.maxRejectFraction()),
                    errors);
        }
        if (r.trainRows() == 0) {
            throw new StageFailure(STAGE, "no training pairs left in " + uri + " after filtering and splitting",
                    List.of(new FieldError("dataset", "train split is empty (read " + r.read() + ", kept " + r.kept()
                            + ", test " + r.testRows() + ")")));
        }
    }

    private static <T> T resolve(String field, java.util.function.Supplier<T> resolve) {
        try {
            return resolve.get();
        } catch (ArtifactException e) {
            throw fail(e.getMessage(), field, e);
        }
    }

    private static StageFailure fail(String reason, String field, Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return new StageFailure(STAGE, reason.equals(message) ? reason : reason + ": " + message,
                List.of(new FieldError(field, message)), e);
    }
}
