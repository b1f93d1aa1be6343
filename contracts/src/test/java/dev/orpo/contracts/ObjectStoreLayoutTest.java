package dev.orpo.contracts;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectStoreLayoutTest {
    private static final String RUN = "run-20261128-051200-3f9a";
    private final ObjectStoreLayout layout = ObjectStoreLayout.defaults();

    @Test
    void keysLiveUnderOnePrefixPerRun() {
        assertEquals("runs/" + RUN + "/", layout.runPrefix(RUN));
        assertEquals("runs/" + RUN + "/request.json", layout.requestKey(RUN));
        assertEquals("runs/" + RUN + "/dataset/", layout.datasetPrefix(RUN));
        assertEquals("runs/" + RUN + "/checkpoints/", layout.checkpointsPrefix(RUN));
        assertEquals("runs/" + RUN + "/checkpoints/step-25/", layout.checkpointPrefix(RUN, 25));
        assertEquals("runs/" + RUN + "/merged/", layout.mergedPrefix(RUN));
        assertEquals("runs/" + RUN + "/eval/", layout.evalPrefix(RUN));
        assertTrue(layout.checkpointPrefix(RUN, 25).startsWith(layout.checkpointsPrefix(RUN)));
    }

    @Test
    void uploadsAreContentAddressedAndHubModelsHaveOneCopyPerRevision() {
        assertEquals("models/llama3-8b@0123456789ab/", layout.uploadedModelPrefix("llama3-8b", "0123456789ab"));
        assertEquals("datasets/prefs.v2@0123456789ab/", layout.uploadedDatasetPrefix("prefs.v2", "0123456789ab"));
        assertEquals("models/hub/meta-llama/Meta-Llama-3-8B@main/",
                layout.hubModelPrefix("meta-llama/Meta-Llama-3-8B", "main"));
        assertEquals("models/hub/org/m@refs_pr_1/", layout.hubModelPrefix("org/m", "refs/pr/1"));
        assertThrows(IllegalArgumentException.class, () -> layout.uploadedModelPrefix("../x", "0123456789ab"));
        assertThrows(IllegalArgumentException.class, () -> layout.uploadedModelPrefix("a/b", "0123456789ab"));
        assertThrows(IllegalArgumentException.class, () -> layout.uploadedModelPrefix("m", "0123456789AB"));
        assertThrows(IllegalArgumentException.class, () -> layout.uploadedDatasetPrefix("d", "0123"));
        assertThrows(IllegalArgumentException.class, () -> layout.hubModelPrefix("no-org", "main"));
    }

    @Test
    void everyMarkerAndStageKeyIsBuiltHere() {
        String run = "runs/" + RUN + "/";
        assertEquals(run + "dataset/manifest.json", layout.datasetManifestKey(RUN));
        assertEquals(run + "dataset/prepare-result.json", layout.datasetResultKey(RUN));
        assertEquals(run + "dataset/tokenizer/", layout.datasetTokenizerPrefix(RUN));
        assertEquals(run + "dataset/_PUBLISHED", layout.datasetPublishedKey(RUN));
        assertEquals(run + "checkpoints/_COMPLETE", layout.trainingCompleteKey(RUN));
        assertEquals(run + "checkpoints/_COMPLETED", layout.legacyTrainingCompleteKey(RUN));
        assertEquals(run + "checkpoints/_LEASE", layout.trainingLeaseKey(RUN));
        assertEquals(run + "checkpoints/_PUBLISHED/step-4", layout.checkpointPublishedKey(RUN, 4, false));
        assertEquals(run + "checkpoints/_PUBLISHED/step-4-final", layout.checkpointPublishedKey(RUN, 4, true));
        assertEquals(run + "merged/step-3/", layout.mergedPrefix(RUN, 3));
        assertEquals(run + "eval/step-3.json", layout.evalTargetKey(RUN, "checkpoint", 3));
        assertEquals(run + "eval/merged-step-3.json", layout.evalTargetKey(RUN, "merged", 3));
        assertEquals(run + "eval/report.json", layout.evalReportKey(RUN));
        assertEquals(run + "eval/report.md", layout.evalReportMarkdownKey(RUN));
        assertEquals(run + "eval/_PUBLISHED/merged-step-3", layout.evalPublishedKey(RUN, "merged", 3));
    }

    @Test
    void checkpointStepIsReadBackOnlyFromKeysInsideACheckpoint() {
        assertEquals(25, ObjectStoreLayout.checkpointStep(layout.checkpointPrefix(RUN, 25) + "adapter_model.safetensors")
                .orElseThrow());
        assertTrue(ObjectStoreLayout.checkpointStep(layout.checkpointPublishedKey(RUN, 25, false)).isEmpty());
        assertTrue(ObjectStoreLayout.checkpointStep(layout.trainingCompleteKey(RUN)).isEmpty());
        assertTrue(ObjectStoreLayout.checkpointStep(layout.mergedPrefix(RUN, 25) + "config.json").isEmpty());
    }

    @Test
    void uriNamesTheBucket() {
        assertEquals("s3://orpo/runs/" + RUN + "/merged/", layout.uri(layout.mergedPrefix(RUN)));
        assertEquals("s3://other/x", new ObjectStoreLayout("other").uri("x"));
    }

    @Test
    void unsafeRunIdsAndBlankBucketsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> layout.runPrefix("../etc"));
        assertThrows(IllegalArgumentException.class, () -> layout.runPrefix("Run_1"));
        assertThrows(IllegalArgumentException.class, () -> new ObjectStoreLayout(" "));
    }

    @Test
    void newRunIdsAreValidAndDistinct() {
        String a = RunIds.newRunId();
        String b = RunIds.newRunId();

        assertTrue(RunIds.isValid(a), a);
        assertTrue(a.matches("run-\\d{8}-\\d{6}-[0-9a-f]{4}"), a);
        assertTrue(!a.equals(b) || RunIds.isValid(b));
    }
}
