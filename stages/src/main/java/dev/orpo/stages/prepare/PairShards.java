package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.orpo.PreferencePair;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shard format: UTF-8 JSON Lines, one tokenized pair per line, keys in this order:
 * {@code {"row": <input row>, "chosen_input_ids": [...], "chosen_prompt_length": n, "rejected_input_ids": [...],
 * "rejected_prompt_length": m, "truncated": bool}}; '\n' line ends, no spaces, so equal data gives equal bytes.
 */
public final class PairShards {

    /** The format's name in a prepared dataset's manifest.json. */
    public static final String FORMAT = "orpo-preference-jsonl/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PairShards() {
    }

    /** One shard line. */
    public record Entry(long row, PreferencePair pair, boolean truncated) {
    }

    /** The shard line of {@code e}, '\n' included, as UTF-8 bytes. */
    static byte[] line(Entry e) {
        StringBuilder sb = new StringBuilder(64 + 8 * e.pair().chosenInputIds().length);
        sb.append("{\"row\":").append(e.row()).append(",\"chosen_input_ids\":");
        ids(sb, e.pair().chosenInputIds());
        sb.append(",\"chosen_prompt_length\":").append(e.pair().chosenPromptLength()).append(",\"rejected_input_ids\":");
        ids(sb, e.pair().rejectedInputIds());
        sb.append(",\"rejected_prompt_length\":").append(e.pair().rejectedPromptLength())
                .append(",\"truncated\":").append(e.truncated()).append("}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void ids(StringBuilder sb, int[] ids) {
        sb.append('[');
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(ids[i]);
        }
        sb.append(']');
    }

    /** Writes {@code entries} as one shard file. */
    public static void write(Path shard, List<Entry> entries) throws IOException {
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(shard))) {
            for (Entry e : entries) {
                out.write(line(e));
            }
        }
    }

    /** Reads a shard back (what the trainer calls). */
    public static List<Entry> read(Path shard) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(shard, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                try {
                    JsonNode n = JSON.readTree(line);
                    PreferencePair pair = new PreferencePair(JSON.convertValue(n.get("chosen_input_ids"), int[].class),
                            n.get("chosen_prompt_length").asInt(),
                            JSON.convertValue(n.get("rejected_input_ids"), int[].class),
                            n.get("rejected_prompt_length").asInt());
                    out.add(new Entry(n.get("row").asLong(), pair, n.get("truncated").asBoolean()));
                } catch (RuntimeException | IOException e) {
                    throw new IOException(shard.getFileName() + " line " + lineNo + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }
}
