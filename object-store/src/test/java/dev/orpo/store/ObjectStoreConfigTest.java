package dev.orpo.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectStoreConfigTest {
    @Test
    void blankBucketAndRegionFallBackToDefaults() {
        var c = new ObjectStoreConfig("http://127.0.0.1:9000", "a", "s", " ", null);
        assertEquals("orpo", c.bucket());
        assertEquals("us-east-1", c.region());
    }

    @Test
    void missingSettingsAreNamedByTheirConfigKey() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ObjectStoreConfig("http://h:1", "", "s", null, null));
        assertTrue(e.getMessage().contains("orpo.s3.access-key"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> ObjectStoreConfig.of("localhost:9000", "a", "s"));
        assertTrue(e2.getMessage().contains("orpo.s3.endpoint"), e2.getMessage());
    }

    @Test
    void toStringHidesTheSecret() {
        assertFalse(ObjectStoreConfig.of("http://h:1", "a", "very-secret").toString().contains("very-secret"));
    }
}
