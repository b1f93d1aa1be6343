package dev.orpo.contracts.events;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EnvelopeTest {
    private static final String RUN = "run-20261128-051200-3f9a";

    @Test
    void aStateFactHasTheSameIdEachTimeItIsBuilt() {
        Envelope first = Envelope.once(RUN, "cause-1", CheckpointSaved.class, "step-4");
        Envelope again = Envelope.once(RUN, "cause-2", CheckpointSaved.class, "step-4");

        assertEquals(first.eventId(), again.eventId(), "a redelivered cause must not make it a new fact");
        assertEquals(UUID.nameUUIDFromBytes((RUN + "/CheckpointSaved/step-4").getBytes()).toString(),
                first.eventId());
        assertEquals("cause-2", again.causationId());
    }

    @Test
    void differentStepsTypesAndRunsAreDifferentFacts() {
        String id = Envelope.once(RUN, null, CheckpointSaved.class, "step-4").eventId();

        assertNotEquals(id, Envelope.once(RUN, null, CheckpointSaved.class, "step-4-final").eventId());
        assertNotEquals(id, Envelope.once(RUN, null, ModelMerged.class, "step-4").eventId());
        assertNotEquals(id, Envelope.once("run-20261128-051200-3f9b", null, CheckpointSaved.class, "step-4")
                .eventId());
    }

    @Test
    void commandsAndProgressGetFreshIds() {
        Envelope command = Envelope.command(RUN);

        assertNull(command.causationId());
        assertEquals(PipelineEvent.SCHEMA_VERSION, command.schemaVersion());
        assertNotEquals(Envelope.causedBy(RUN, "c").eventId(), Envelope.causedBy(RUN, "c").eventId());
    }

    @Test
    void eventsTakeEveryEnvelopeField() {
        Envelope e = Envelope.once(RUN, "c", TrainingCompleted.class, "");
        TrainingCompleted done = TrainingCompleted.of(e, 4, "s3://orpo/x/", java.util.Map.of(), 1.0, false, null);

        assertEquals(e, new Envelope(done.eventId(), done.runId(), done.schemaVersion(), done.occurredAt(),
                done.causationId()));
    }
}
