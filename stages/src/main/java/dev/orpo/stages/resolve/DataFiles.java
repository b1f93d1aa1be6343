package dev.orpo.stages.resolve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Picks the one data file of a directory, joining several Parquet files (name order) into one with DuckDB. */
final class DataFiles {
    static final String JOINED = "joined.parquet";

    private DataFiles() {
    }

    static Path single(String uri, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).filter(DataFiles::isData)
                    .filter(p -> !p.getFileName().toString().equals(JOINED)).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no .parquet, .jsonl or .json file in " + dir);
        }
        if (files.size() == 1) {
            return files.get(0);
        }
        if (!files.stream().allMatch(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".parquet"))) {
            throw new IOException(files.size() + " data files of mixed or non-Parquet formats in " + dir
                    + " (" + files.stream().map(p -> dir.relativize(p).toString()).collect(Collectors.joining(", "))
                    + "); name one file");
        }
        Path joined = dir.resolve(JOINED);
        Path partial = dir.resolve(JOINED + ".part");
        Files.deleteIfExists(partial);
        String list = files.stream().map(p -> "'" + p.toAbsolutePath().toString().replace("'", "''") + "'")
                .collect(Collectors.joining(", "));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = c.createStatement()) {
            st.execute("SET preserve_insertion_order = true");
            st.execute("COPY (SELECT * FROM read_parquet([" + list + "])) TO '"
                    + partial.toAbsolutePath().toString().replace("'", "''") + "' (FORMAT parquet)");
        } catch (SQLException e) {
            throw new IOException("cannot join the Parquet files of " + uri + ": " + e.getMessage(), e);
        }
        Files.move(partial, joined, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return joined;
    }

    private static boolean isData(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && Artifacts.dataExtensions().stream().anyMatch(n::endsWith);
    }
}
