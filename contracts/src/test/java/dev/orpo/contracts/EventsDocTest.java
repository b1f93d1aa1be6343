package dev.orpo.contracts;

import dev.orpo.contracts.events.PipelineEvent;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/events.md must name every topic, event record and CloudEvents type the code defines. */
class EventsDocTest {
    private static final Path DOC = Path.of("..", "docs", "events.md");

    @Test
    void everyTopicIsDocumented() throws Exception {
        String doc = Files.readString(DOC);
        for (String topic : TopicsTest.constants()) {
            assertTrue(doc.contains("`" + topic + "`"), "docs/events.md does not mention topic " + topic);
        }
    }

    @Test
    void everyEventRecordAndItsCloudEventsTypeIsDocumented() throws Exception {
        String doc = Files.readString(DOC);
        for (Class<?> type : PipelineEvent.class.getPermittedSubclasses()) {
            assertTrue(doc.contains("`" + type.getSimpleName() + "`"), "docs/events.md lacks " + type.getSimpleName());
            String ceType = CloudEventHeaders.type(type, PipelineEvent.SCHEMA_VERSION);
            assertTrue(doc.contains("`" + ceType + "`"), "docs/events.md lacks " + ceType);
        }
    }

    @Test
    void everyObjectStorePrefixIsDocumented() throws Exception {
        String doc = Files.readString(DOC);
        ObjectStoreLayout layout = ObjectStoreLayout.defaults();
        for (String key : new String[]{layout.requestKey("run"), layout.datasetPrefix("run"),
                layout.checkpointPrefix("run", 7), layout.mergedPrefix("run"), layout.evalPrefix("run")}) {
            String documented = key.replace("runs/run/", "runs/<run_id>/").replace("step-7", "step-<n>");
            assertTrue(doc.contains("`" + documented + "`"), "docs/events.md lacks key " + documented);
        }
    }
}
