package dev.orpo.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.events.PipelineEvent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Payloads no consumer may process, made from a valid event: each must land in the channel's DLQ with a
 * {@code dead-letter-reason} containing {@link Poison#reasonPart}, and the consumer must go on.
 */
public final class PoisonRecords {
    /** 10 MiB: ten times the largest event a consumer reads. */
    public static final int OVERSIZED_BYTES = 10 << 20;

    /** One hostile payload and the words its rejection must give. */
    public record Poison(String name, byte[] payload, String reasonPart) {
        @Override
        public String toString() {
            return name;
        }
    }

    private PoisonRecords() {
    }

    /** Every kind, made from {@code valid} (an event of the channel's type). */
    public static List<Poison> from(PipelineEvent valid) {
        String type = valid.getClass().getSimpleName();
        byte[] json = Json.toBytes(valid);
        return List.of(
                new Poison("empty payload", new byte[0], "empty " + type),
                new Poison("truncated JSON", Arrays.copyOf(json, json.length / 2), "malformed " + type),
                new Poison("not JSON", "\u0000\u00ffgarbage".getBytes(StandardCharsets.ISO_8859_1), "malformed " + type),
                new Poison("wrong field type", edit(valid, n -> n.put("schema_version", "one")), "malformed " + type),
                new Poison("array instead of object", "[1,2,3]".getBytes(StandardCharsets.UTF_8), "malformed " + type),
                new Poison("unknown schema version 0", edit(valid, n -> n.put("schema_version", 0)), "schema_version"),
                new Poison("missing schema version", edit(valid, n -> n.remove("schema_version")), "schema_version"),
                new Poison("missing run id", edit(valid, n -> n.remove("run_id")), "invalid run_id"),
                new Poison("unsafe run id", edit(valid, n -> n.put("run_id", "../../etc")), "invalid run_id"),
                new Poison("missing event id", edit(valid, n -> n.remove("event_id")), "no event_id"),
                new Poison("10 MiB payload", oversized(json), "limit"));
    }

    private interface Edit {
        void apply(ObjectNode node);
    }

    private static byte[] edit(PipelineEvent valid, Edit edit) {
        ObjectNode node = Json.mapper().valueToTree(valid);
        edit.apply(node);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The valid event with a 10 MiB string field added: well-formed JSON, only too big. */
    private static byte[] oversized(byte[] json) {
        String event = new String(json, StandardCharsets.UTF_8);
        String padded = event.substring(0, event.length() - 1) + ",\"padding\":\"" + "x".repeat(OVERSIZED_BYTES) + "\"}";
        return padded.getBytes(StandardCharsets.UTF_8);
    }
}
