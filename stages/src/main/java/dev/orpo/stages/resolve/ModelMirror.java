package dev.orpo.stages.resolve;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.store.ObjectInfo;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.Sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline's one copy of a hub model in the object store: {@code models/hub/<org>/<name>@<revision>/}, the
 * model's files and a {@link StoreManifest} written last. Files go hub → scratch → store one at a time, so the scratch
 * disk holds at most one weight shard; a mirror that died half-way resumes, keeping the files it had stored. A
 * revision is mirrored once: later runs read the copy even when a branch such as {@code main} has moved since (pin a
 * commit hash, or delete the prefix, to take a newer one).
 */
final class ModelMirror {
    private ModelMirror() {
    }

    /** The mirror's prefix URI, if the store holds a complete one (no hub access needed then). */
    static Optional<String> existing(ObjectStore store, String repoId, String revision) {
        String prefix = new ObjectStoreLayout(store.bucket()).hubModelPrefix(repoId, revision);
        return store.exists(prefix + ObjectStoreLayout.MANIFEST) ? Optional.of(store.uri(prefix).toString())
                : Optional.empty();
    }

    /** Mirrors the model unless the store holds it already; returns the prefix URI. */
    static String hub(HubClient hub, ObjectStore store, String repoId, String revision, Path scratch) {
        Optional<String> done = existing(store, repoId, revision);
        if (done.isPresent()) {
            return done.get();
        }
        String prefix = new ObjectStoreLayout(store.bucket()).hubModelPrefix(repoId, revision);
        try {
            List<StoreManifest.Entry> entries = new ArrayList<>();
            for (String f : HubDownloads.modelFiles(hub, repoId, revision, scratch)) {
                Path local = scratch.resolve(f);
                if (!Files.isRegularFile(local)) { // a weight file: stored by an earlier attempt, or fetched now
                    Optional<ObjectInfo> stored = store.info(prefix + f).filter(i -> i.sha256() != null);
                    if (stored.isPresent()) {
                        entries.add(new StoreManifest.Entry(f, stored.get().sha256(), stored.get().size()));
                        continue;
                    }
                    HubDownloads.weights(hub, repoId, revision, f, scratch);
                }
                String sha = Sha256.of(local);
                entries.add(new StoreManifest.Entry(f, sha, Files.size(local)));
                store.putFile(prefix + f, local, sha, sent -> { });
                Files.delete(local); // one shard at a time on the scratch disk
            }
            StoreManifest manifest = StoreManifest.of(StoreManifest.MODEL, repoId,
                    "hf://" + repoId + "@" + revision, entries);
            store.putBytes(prefix + ObjectStoreLayout.MANIFEST, manifest.toJson()); // last: the mirror is complete
            return store.uri(prefix).toString();
        } catch (IOException e) {
            throw new ArtifactException("model " + hub.baseUrl() + "/" + repoId + "@" + revision + ": cannot mirror "
                    + "it to " + store.uri(prefix) + ": " + e.getMessage(), e);
        }
    }
}
