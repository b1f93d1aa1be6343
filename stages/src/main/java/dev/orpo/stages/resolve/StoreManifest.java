package dev.orpo.stages.resolve;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.store.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@value ObjectStoreLayout#MANIFEST} written last under an uploaded or mirrored model or dataset: every file's
 * path, SHA-256 and size. Its presence means the upload is complete; readers download exactly its files and check
 * each against it.
 *
 * <p>{@link #contentSha256()} is the SHA-256 of the file list as {@code sha256sum} prints it, one line
 * {@code "<sha256>  <path>\n"} per file, sorted by path (byte order); its first
 * {@value ObjectStoreLayout#CONTENT_SHA_LENGTH} hex digits name an upload's prefix. The same files give the same
 * prefix, on any machine, and a user can recompute it with {@code sha256sum}.
 *
 * @param format        {@value #FORMAT}
 * @param kind          {@code model} or {@code dataset}
 * @param name          the name in the prefix ({@code orpo upload --name}) or the hub id
 * @param source        where the files came from, e.g. {@code hf://meta-llama/Meta-Llama-3-8B@main}; null for uploads
 * @param contentSha256 SHA-256 of the file list (see above)
 * @param files         every file, sorted by path
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoreManifest(String format, String kind, String name, String source, String contentSha256,
                            List<Entry> files) {
    public static final String FORMAT = "orpo.manifest.v1";
    public static final String MODEL = "model";
    public static final String DATASET = "dataset";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One file: its path relative to the prefix ({@code /} separated), SHA-256 (hex) and size in bytes. */
    public record Entry(String path, String sha256, long size) {
    }

    public StoreManifest {
        files = files == null ? List.of() : files.stream().sorted(Comparator.comparing(Entry::path, StoreManifest::byteOrder)).toList();
    }

    /** A manifest of these files; the content hash is computed from them. */
    public static StoreManifest of(String kind, String name, String source, List<Entry> files) {
        return new StoreManifest(FORMAT, kind, name, source, contentSha256(files), files);
    }

    /** The SHA-256 of the {@code sha256sum}-style file list, sorted by path. */
    public static String contentSha256(List<Entry> files) {
        StringBuilder list = new StringBuilder();
        files.stream().sorted(Comparator.comparing(Entry::path, StoreManifest::byteOrder))
                .forEach(e -> list.append(e.sha256()).append("  ").append(e.path()).append('\n'));
        return Sha256.of(list.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The first {@value ObjectStoreLayout#CONTENT_SHA_LENGTH} hex digits of {@link #contentSha256()}. */
    public String shortSha() {
        return contentSha256.substring(0, ObjectStoreLayout.CONTENT_SHA_LENGTH);
    }

    public long totalBytes() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    public boolean has(String path) {
        return files.stream().anyMatch(e -> e.path().equals(path));
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a manifest", e);
        }
    }

    /**
     * Reads and checks a manifest: known format, safe relative paths, no duplicates, and a content hash that matches
     * its file list.
     *
     * @param where names the manifest in errors
     */
    public static StoreManifest parse(byte[] json, String where) {
        StoreManifest m;
        try {
            m = JSON.readValue(json, StoreManifest.class);
        } catch (IOException e) {
            throw new ArtifactException(where + ": unreadable manifest: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(m.format()) || m.files() == null || m.files().isEmpty()) {
            throw new ArtifactException(where + ": not an " + FORMAT + " manifest with files");
        }
        Set<String> seen = new HashSet<>();
        for (Entry e : m.files()) {
            if (e.path() == null || e.path().isEmpty() || e.path().startsWith("/") || e.path().contains("\\")
                    || List.of(e.path().split("/")).contains("..") || !seen.add(e.path())
                    || e.sha256() == null || !e.sha256().matches("[0-9a-f]{64}") || e.size() < 0) {
                throw new ArtifactException(where + ": bad file entry " + e);
            }
        }
        if (!contentSha256(m.files()).equals(m.contentSha256())) {
            throw new ArtifactException(where + ": content_sha256 " + m.contentSha256() + " does not match its file "
                    + "list (" + contentSha256(m.files()) + "); the manifest was edited or torn");
        }
        return m;
    }

    /**
     * Hashes the files to upload: every regular file under a directory (relative paths, hidden files and the
     * manifest itself left out), or one file (its name as the path).
     *
     * @param hashing told each file before it is read (hashing a 16 GB model takes a while)
     */
    public static List<Entry> scan(Path dirOrFile, java.util.function.Consumer<Path> hashing) throws IOException {
        List<Path> paths;
        Path base;
        if (Files.isRegularFile(dirOrFile)) {
            base = dirOrFile.toAbsolutePath().getParent();
            paths = List.of(dirOrFile.toAbsolutePath());
        } else {
            base = dirOrFile.toAbsolutePath();
            try (Stream<Path> walk = Files.walk(base)) {
                paths = walk.filter(Files::isRegularFile)
                        .filter(p -> !hidden(base.relativize(p)))
                        .filter(p -> !base.relativize(p).toString().equals(ObjectStoreLayout.MANIFEST))
                        .sorted().toList();
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (Path p : paths) {
            hashing.accept(p);
            String rel = base.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
            entries.add(new Entry(rel, Sha256.of(p), Files.size(p)));
        }
        return entries;
    }

    /** Dot files and dot directories (.git, .cache, .DS_Store) are never part of a model or dataset. */
    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static int byteOrder(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
