package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.orpo.contracts.request.ColumnMapping;

import java.io.IOException;
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
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Streams the rows of a Parquet, JSONL or JSON file through DuckDB (in-memory, file order preserved), each mapped
 * column converted with {@code to_json} so strings and {@code [{role, content}]} lists arrive the same way.
 */
final class DatasetReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SOURCE_COLUMN = "source";

    private DatasetReader() {
    }

    /** @param format parquet, jsonl, json or auto (from the file extension) */
    static String resolveFormat(Path input, String format) {
        String f = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
        if (!f.equals("auto")) {
            return f;
        }
        String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            return "parquet";
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return "jsonl";
        }
        if (name.endsWith(".json")) {
            return "json";
        }
        throw new IllegalArgumentException("dataset.format: cannot tell the format of " + input.getFileName()
                + " from its extension; set parquet, jsonl or json");
    }

    /** @param needSource the source filters are in use: a missing {@code source} column is an error */
    static void read(Path input, String format, ColumnMapping columns, boolean needSource, Consumer<RawRow> sink)
            throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new IOException("dataset file not found: " + input);
        }
        String table = tableFunction(input, resolveFormat(input, format));
        Properties props = new Properties();
        props.setProperty("jdbc_stream_results", "true");
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:", props);
             Statement st = db.createStatement()) {
            st.execute("SET threads TO 2");
            st.execute("SET preserve_insertion_order = true");
            List<String> present = columnNames(st, table);
            require(present, columns.chosen(), "dataset.columns.chosen", input);
            require(present, columns.rejected(), "dataset.columns.rejected", input);
            if (needSource) {
                require(present, SOURCE_COLUMN, "dataset.filters.sources", input);
            }
            String sql = "SELECT " + jsonColumn(present, columns.prompt()) + ", " + jsonColumn(present, columns.chosen())
                    + ", " + jsonColumn(present, columns.rejected()) + ", " + jsonColumn(present, columns.system())
                    + ", " + (present.contains(SOURCE_COLUMN) ? "CAST(\"source\" AS VARCHAR)" : "NULL")
                    + " FROM " + table;
            try (ResultSet rs = st.executeQuery(sql)) {
                long row = 0;
                while (rs.next()) {
                    sink.accept(new RawRow(row++, parse(rs.getString(1)), parse(rs.getString(2)),
                            parse(rs.getString(3)), parse(rs.getString(4)), rs.getString(5)));
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read " + input + ": " + e.getMessage(), e);
        }
    }

    private static String tableFunction(Path input, String format) {
        String path = "'" + input.toAbsolutePath().toString().replace("'", "''") + "'";
        return switch (format) {
            case "parquet" -> "read_parquet(" + path + ")";
            case "jsonl" -> "read_json(" + path + ", format = 'newline_delimited', sample_size = -1)";
            case "json" -> "read_json(" + path + ", format = 'auto', sample_size = -1)";
            default -> throw new IllegalArgumentException("dataset.format: unsupported format " + format
                    + " (parquet, jsonl, json)");
        };
    }

    private static List<String> columnNames(Statement st, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + table)) {
            while (rs.next()) {
                names.add(rs.getString("column_name"));
            }
        }
        return names;
    }

    private static void require(List<String> present, String column, String field, Path input) {
        if (!present.contains(column)) {
            throw new IllegalArgumentException(field + ": column '" + column + "' not in " + input.getFileName()
                    + " (columns: " + present + ")");
        }
    }

    private static String jsonColumn(List<String> present, String column) {
        return present.contains(column) ? "CAST(to_json(\"" + column.replace("\"", "\"\"") + "\") AS VARCHAR)" : "NULL";
    }

    private static JsonNode parse(String json) throws SQLException {
        if (json == null) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new SQLException("DuckDB returned invalid JSON: " + e.getMessage(), e);
        }
    }
}
