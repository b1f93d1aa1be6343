package dev.orpo.service;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.RunCancelled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventMessagesTest {
    private static final String TOPIC = "orpo.run.cancelled.v1";

    @Test
    void wellFormedEventParses() {
        RunCancelled sent = RunCancelled.of("run-20261128-000000-abcd", "user asked");
        RunCancelled read = EventMessages.parse(Json.toBytes(sent), RunCancelled.class, TOPIC);
        assertEquals(sent, read);
    }

    @Test
    void emptyPayloadIsMalformedAndNamesTheTopic() {
        var e = assertThrows(MalformedEventException.class,
                () -> EventMessages.parse(new byte[0], RunCancelled.class, TOPIC));
        assertTrue(e.getMessage().contains(TOPIC), e.getMessage());
    }

    @Test
    void invalidJsonIsMalformed() {
        byte[] bad = "{not json".getBytes(StandardCharsets.UTF_8);
        assertThrows(MalformedEventException.class, () -> EventMessages.parse(bad, RunCancelled.class, TOPIC));
    }

    @Test
    void invalidRunIdIsMalformedAndNamesIt() {
        byte[] bad = ("{\"event_id\":\"e1\",\"run_id\":\"NOT VALID\",\"schema_version\":1,"
                + "\"occurred_at\":\"2026-11-28T00:00:00Z\",\"reason\":\"x\"}").getBytes(StandardCharsets.UTF_8);
        var e = assertThrows(MalformedEventException.class, () -> EventMessages.parse(bad, RunCancelled.class, TOPIC));
        assertTrue(e.getMessage().contains("NOT VALID"), e.getMessage());
    }

    @Test
    void payloadOverTheLimitIsRefusedUnreadAndTheReasonSaysWhy() {
        byte[] big = new byte[10 << 20];
        var e = assertThrows(MalformedEventException.class, () -> EventMessages.parse(big, RunCancelled.class, TOPIC));
        assertTrue(e.getMessage().contains("10485760 bytes") && e.getMessage().contains("limit"), e.getMessage());
    }

    @Test
    void wrongFieldTypesAreMalformed() {
        byte[] bad = ("{\"event_id\":\"e1\",\"run_id\":\"run-20261128-000000-abcd\",\"schema_version\":\"one\","
                + "\"occurred_at\":\"2026-11-28T00:00:00Z\",\"reason\":\"x\"}").getBytes(StandardCharsets.UTF_8);
        assertThrows(MalformedEventException.class, () -> EventMessages.parse(bad, RunCancelled.class, TOPIC));
    }

    @Test
    void missingOrZeroSchemaVersionIsMalformedButANewerOneIsRead() {
        String event = "{\"event_id\":\"e1\",\"run_id\":\"run-20261128-000000-abcd\",%s"
                + "\"occurred_at\":\"2026-11-28T00:00:00Z\",\"reason\":\"x\"}";
        var e = assertThrows(MalformedEventException.class, () -> EventMessages.parse(event.formatted("")
                .getBytes(StandardCharsets.UTF_8), RunCancelled.class, TOPIC));
        assertTrue(e.getMessage().contains("schema_version"), e.getMessage());
        assertEquals(7, EventMessages.parse(event.formatted("\"schema_version\":7,").getBytes(StandardCharsets.UTF_8),
                RunCancelled.class, TOPIC).schemaVersion(), "versions only add fields within a topic");
    }

    @Test
    void missingRequiredPayloadFieldIsMalformedAndNamed() {
        byte[] bad = ("{\"event_id\":\"e1\",\"run_id\":\"run-20261128-000000-abcd\",\"schema_version\":1,"
                + "\"occurred_at\":\"2026-11-28T00:00:00Z\",\"step\":3}").getBytes(StandardCharsets.UTF_8);
        var e = assertThrows(MalformedEventException.class, () -> EventMessages.parse(bad, CheckpointSaved.class,
                "orpo.checkpoint.saved.v1"));
        assertTrue(e.getMessage().contains("checkpoint_uri, request"), e.getMessage());
    }

    @Test
    void jsonNullIsMalformed() {
        assertThrows(MalformedEventException.class, () -> EventMessages.parse("null".getBytes(StandardCharsets.UTF_8),
                RunCancelled.class, TOPIC));
    }

    @Test
    void missingEventIdIsMalformed() {
        byte[] bad = ("{\"run_id\":\"run-20261128-000000-abcd\",\"schema_version\":1,"
                + "\"occurred_at\":\"2026-11-28T00:00:00Z\",\"reason\":\"x\"}").getBytes(StandardCharsets.UTF_8);
        assertThrows(MalformedEventException.class, () -> EventMessages.parse(bad, RunCancelled.class, TOPIC));
    }
}
