package dev.orpo.model.merge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A hidden sibling directory that becomes {@code target} only when complete: readers never see a half-written
 * model. {@link #commit()} renames it into place; {@link #close()} without commit deletes it.
 */
final class StagingDir implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private boolean committed;

    private StagingDir(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /** Refuses a non-empty {@code target}; creates the staging directory next to it. */
    static StagingDir create(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(abs)) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(abs)) {
                    if (s.iterator().hasNext()) {
                        throw new IllegalArgumentException("output directory " + abs + " exists and is not empty");
                    }
                }
            } else if (Files.exists(abs)) {
                throw new IllegalArgumentException("output path " + abs + " exists and is not a directory");
            }
            Files.createDirectories(abs.getParent());
            // createDirectory, not createTempDirectory: the result is renamed into place and must keep normal permissions
            Path staging = Files.createDirectory(abs.getParent().resolve("." + abs.getFileName() + ".partial-"
                    + java.util.UUID.randomUUID()));
            return new StagingDir(abs, staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output directory " + abs + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return staging;
    }

    /** Moves the staging directory to the target (atomically where the file system allows). */
    void commit() {
        try {
            Files.deleteIfExists(target);  // only an empty directory can be here (checked in create)
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, target);
            }
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + staging + " to " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (committed || !Files.exists(staging)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(staging)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove partial output " + staging + ": " + e.getMessage(), e);
        }
    }
}
