package dev.orpo.stages.prepare;

import dev.orpo.contracts.request.ChatTemplateSpec;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.ChatmlSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerSetupTest {

    @Test
    void modelModeKeepsTheModelsTemplateAndEmbeddings(@TempDir Path dir) throws Exception {
        try (TokenizerSetup.Prepared p = TokenizerSetup.load(Fixtures.tokenizer(dir), ChatTemplateSpec.defaults())) {
            assertNull(p.embeddingRows());
            assertEquals(0, p.addedTokens());
            assertEquals(ChatmlSetup.CHATML_TEMPLATE, p.template().source());
            assertEquals(1024, TokenizerSetup.preferenceTokenizer(p, TrainingArgs.defaults()).config().maxLength());
        }
    }

    @Test
    void chatmlModeReportsTheResizeAndInlineTemplateWins(@TempDir Path dir) throws Exception {
        ChatTemplateSpec spec = new ChatTemplateSpec(ChatTemplateSpec.CHATML, "{{ messages[0].content }}!");
        try (TokenizerSetup.Prepared p = TokenizerSetup.load(Fixtures.tokenizer(dir), spec)) {
            assertEquals(p.tokenizer().size(), p.embeddingRows());
            assertEquals(0, p.addedTokens(), "the fixture vocabulary already has the ChatML tokens");
            assertEquals("hi!", p.template().render(List.of(ChatMessage.user("hi")), false, p.tokenizer()));
        }
    }

    @Test
    void unknownModeIsNamed(@TempDir Path dir) throws Exception {
        Path tok = Fixtures.tokenizer(dir);
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> TokenizerSetup.load(tok, new ChatTemplateSpec("zephyr", null)));
        assertTrue(e.getMessage().contains("chat_template.mode"), e.getMessage());
    }
}
