package dev.orpo.contracts;

import dev.orpo.contracts.events.PipelineEvent;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicsTest {
    private static final Pattern NAME = Pattern.compile("orpo(\\.[a-z][a-z-]*)+\\.v[1-9][0-9]*");

    /** Every {@code public static final String} constant of {@link Topics}. */
    static List<String> constants() {
        return Arrays.stream(Topics.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(f -> {
                    try {
                        return (String) f.get(null);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }

    @Test
    void everyConstantIsListedInAllExactlyOnce() {
        List<String> all = Topics.all();

        assertEquals(all.size(), new HashSet<>(all).size(), "duplicates in " + all);
        assertEquals(new HashSet<>(constants()), new HashSet<>(all));
        assertEquals(constants().size(), all.size());
    }

    @Test
    void namesAreVersionedAndDeadLettersAreMarked() {
        for (String topic : Topics.all()) {
            assertTrue(NAME.matcher(topic).matches(), topic);
        }
        for (String dlq : Topics.deadLetterTopics()) {
            assertTrue(dlq.startsWith("orpo.dlq."), dlq);
        }
        for (String topic : Topics.eventTopics()) {
            assertTrue(!topic.startsWith("orpo.dlq."), topic);
        }
    }

    @Test
    void eachEventTypeHasExactlyOneTopicAndBack() {
        Class<?>[] types = PipelineEvent.class.getPermittedSubclasses();

        assertEquals(types.length, Topics.eventTopics().size());
        for (Class<?> type : types) {
            @SuppressWarnings("unchecked")
            var eventType = (Class<? extends PipelineEvent>) type;
            assertEquals(eventType, Topics.eventType(Topics.topicOf(eventType)));
        }
    }

    @Test
    void deadLetterTopicIsNotAnEventTopic() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Topics.eventType(Topics.DLQ_EVAL_MODEL_MERGED));

        assertTrue(e.getMessage().contains(Topics.DLQ_EVAL_MODEL_MERGED));
    }

    @Test
    void cloudEventTypeNamesTheRecordAndVersion() {
        assertEquals("dev.orpo.TrainingRequested.v1",
                CloudEventHeaders.type(dev.orpo.contracts.events.TrainingRequested.class, 1));
    }
}
