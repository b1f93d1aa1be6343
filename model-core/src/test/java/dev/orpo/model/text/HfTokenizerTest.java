package dev.orpo.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfTokenizerTest {

    static HfTokenizer llama;
    static HfTokenizer qwen;
    static JsonNode expected;

    @BeforeAll
    static void load() throws Exception {
        llama = NpmTokenizers.llama3();
        qwen = NpmTokenizers.qwen3();
        try (InputStream in = HfTokenizerTest.class.getResourceAsStream("/text/expected-ids.json")) {
            expected = new ObjectMapper().readTree(in);
        }
    }

    @AfterAll
    static void close() {
        llama.close();
        qwen.close();
    }

    @Test
    void llama3HelloWorldIsTwoTokensWithoutBos() {
        assertArrayEquals(new int[] {9906, 1917}, llama.encode("Hello world"));
    }

    @Test
    void idsMatchTheNpmPackagesOwnJsTokenizers() {
        for (String name : List.of("llama3", "qwen3")) {
            HfTokenizer tok = name.equals("llama3") ? llama : qwen;
            for (JsonNode c : expected.get(name).get("encodings")) {
                int[] ids = new ObjectMapper().convertValue(c.get("ids"), int[].class);
                assertArrayEquals(ids, tok.encode(c.get("text").asText()), name + ": " + c.get("text").asText());
            }
        }
    }

    @Test
    void decodeInvertsEncode() {
        String text = "The quick brown fox\n\njumps — über naïve 🦊!";
        assertEquals(text, llama.decode(llama.encode(text)));
        assertEquals(text, qwen.decode(qwen.encode(text)));
    }

    @Test
    void longTextIsNotTruncatedAt512Tokens() {
        String text = "word ".repeat(2000);
        assertEquals(2000, llama.encode(text.strip()).length);
    }

    @Test
    void specialTokensComeFromTokenizerConfig() {
        assertEquals("<|begin_of_text|>", llama.bosToken());
        assertEquals(128000, llama.bosTokenId().getAsInt());
        assertEquals(128001, llama.eosTokenId().getAsInt());
        assertTrue(qwen.bosTokenId().isEmpty(), "Qwen3 has bos_token null");
        assertEquals(151645, qwen.eosTokenId().getAsInt());
        assertEquals(151643, qwen.padTokenId().getAsInt());
        assertTrue(llama.chatTemplate().orElseThrow().contains("<|start_header_id|>"));
    }

    @Test
    void tokenIdLookupsUseVocabularyForm() {
        assertEquals(9906, llama.tokenToId("Hello").getAsInt());
        assertEquals(1917, llama.tokenToId("Ġworld").getAsInt());
        assertEquals("Ġworld", llama.idToToken(1917).orElseThrow());
        assertEquals("<|eot_id|>", llama.idToToken(128009).orElseThrow());
        assertTrue(llama.tokenToId("not-a-token-xyz").isEmpty());
    }

    @Test
    void sizeCountsBaseVocabularyAndAddedTokens() {
        assertEquals(128256, llama.size());
        assertEquals(151669, qwen.size());
    }

    @Test
    void addedSpecialTokensGetNewIdsAndEncodeAsOneToken() {
        try (HfTokenizer more = llama.withAddedSpecialTokens(List.of("<|im_start|>", "<|im_end|>", "<|eot_id|>"))) {
            assertEquals(128258, more.size());
            assertArrayEquals(new int[] {128256, 882, 198}, more.encode("<|im_start|>user\n"));
            assertEquals(128257, more.tokenToId("<|im_end|>").getAsInt());
            assertNotEquals(llama.fingerprint(), more.fingerprint());
        }
    }

    @Test
    void savedTokenizerLoadsBackIdentical(@TempDir Path dir) throws Exception {
        try (HfTokenizer more = qwen.withConfig("<|im_start|>", "<|im_end|>", "<|im_end|>", null)) {
            more.save(dir);
            try (HfTokenizer back = HfTokenizer.load(dir)) {
                assertEquals(more.fingerprint(), back.fingerprint());
                assertEquals(151644, back.bosTokenId().getAsInt());
                assertFalse(back.chatTemplate().isPresent());
            }
        }
    }

    @Test
    void unknownSpecialTokenInConfigIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> llama.withConfig("<nope>", null, null, null));
        assertTrue(e.getMessage().contains("<nope>"), e.getMessage());
    }

    @Test
    void missingTokenizerFileIsNamed(@TempDir Path dir) {
        Exception e = assertThrows(java.io.IOException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }
}
