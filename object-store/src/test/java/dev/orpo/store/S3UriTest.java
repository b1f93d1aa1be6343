package dev.orpo.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3UriTest {
    @Test
    void parsesBucketAndKey() {
        S3Uri uri = S3Uri.parse("s3://orpo/runs/run-1/request.json");
        assertEquals("orpo", uri.bucket());
        assertEquals("runs/run-1/request.json", uri.key());
        assertEquals("s3://orpo/runs/run-1/request.json", uri.toString());
    }

    @Test
    void bucketWithoutKeyHasEmptyKey() {
        assertEquals(new S3Uri("orpo", ""), S3Uri.parse("s3://orpo"));
        assertEquals(new S3Uri("orpo", ""), S3Uri.parse("s3://orpo/"));
    }

    @Test
    void resolveInsertsOneSlash() {
        assertEquals("s3://b/a/x", S3Uri.parse("s3://b/a").resolve("x").toString());
        assertEquals("s3://b/a/x", S3Uri.parse("s3://b/a/").resolve("x").toString());
    }

    @Test
    void rejectsOtherSchemesAndMissingBucketNamingTheInput() {
        var e = assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("http://orpo/x"));
        assertTrue(e.getMessage().contains("http://orpo/x"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3:///x"));
        assertTrue(e2.getMessage().contains("s3:///x"), e2.getMessage());
    }
}
