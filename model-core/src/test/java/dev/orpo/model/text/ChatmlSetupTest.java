package dev.orpo.model.text;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatmlSetupTest {

    static HfTokenizer llama;
    static ChatmlSetup.Result chatml;

    @BeforeAll
    static void load() {
        llama = NpmTokenizers.llama3();
        chatml = ChatmlSetup.apply(llama, 64, true);
    }

    @AfterAll
    static void close() {
        llama.close();
        chatml.tokenizer().close();
    }

    @Test
    void llama3GetsExactlyTwoNewSpecialTokens() {
        HfTokenizer tok = chatml.tokenizer();
        assertEquals(128256, chatml.oldSize());
        assertEquals(2, chatml.addedTokens());
        assertEquals(128258, chatml.newSize());
        assertEquals(128256, tok.bosTokenId().getAsInt());
        assertEquals(128257, tok.eosTokenId().getAsInt());
        assertEquals(128257, tok.padTokenId().getAsInt());
        assertArrayEquals(new int[] {128256, 882, 198, 13347, 128257, 198}, tok.encode("<|im_start|>user\nHi<|im_end|>\n"));
    }

    @Test
    void resizeToMultipleRoundsEmbeddingRowsUp() {
        assertEquals(128320, chatml.embeddingRows());
        assertEquals(128258, ChatmlSetup.embeddingRows(128258, null));
        assertEquals(128264, ChatmlSetup.embeddingRows(128258, 8));
        assertEquals(128, ChatmlSetup.embeddingRows(128, 64));
    }

    @Test
    void chatmlTemplateRendersLikeTrls() {
        HfTokenizer tok = chatml.tokenizer();
        String text = ChatTemplate.of(tok).render(List.of(ChatMessage.system("S"), ChatMessage.user("Hi")), true, tok);
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);
    }

    @Test
    void existingTemplateIsRefusedUnlessReplaced() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> ChatmlSetup.apply(llama, null, false));
        assertTrue(e.getMessage().contains("already"), e.getMessage());
    }

    @Test
    void tokenizerThatAlreadyKnowsTheChatmlTokensGetsNoneAdded() {
        ChatmlSetup.Result again = ChatmlSetup.apply(chatml.tokenizer(), null, true);
        try (HfTokenizer tok = again.tokenizer()) {
            assertEquals(0, again.addedTokens());
            assertEquals(128258, again.embeddingRows());
            assertEquals(128256, tok.bosTokenId().getAsInt());
        }
    }
}
