package dev.orpo.stages.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rows of a split's files, in file then row order, as JSON objects in the hub's schema: JSONL read as written,
 * Parquet through DuckDB ({@code to_json} of each row, so lists and structs arrive as JSON arrays and objects).
 */
final class TaskRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskRows() {
    }

    static boolean isData(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".parquet") || n.endsWith(".jsonl"));
    }

    static List<JsonNode> read(List<Path> files) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (Path f : files) {
            if (f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
                readJsonl(f, rows);
            } else {
                readParquet(f, rows);
            }
        }
        return rows;
    }

    private static void readJsonl(Path file, List<JsonNode> rows) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + " line " + number + ": invalid JSON: " + e.getMessage(),
                            e);
                }
            }
        }
    }

    private static void readParquet(Path file, List<JsonNode> rows) throws IOException {
        String path = "'" + file.toAbsolutePath().toString().replace("'", "''") + "'";
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("SET threads TO 2");
            st.execute("SET preserve_insertion_order = true");
            try (ResultSet rs = st.executeQuery("SELECT CAST(to_json(r) AS VARCHAR) FROM read_parquet(" + path
                    + ") AS r")) {
                while (rs.next()) {
                    rows.add(JSON.readTree(rs.getString(1)));
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
