package dev.orpo.stages.prepare;

import dev.orpo.contracts.request.ChatTemplateSpec;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.ChatmlSetup;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.model.text.PreferenceTokenizer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds the tokenizer and template a run asks for ({@code chat_template} section of the request):
 * {@code model} uses the template in the model's tokenizer_config.json; {@code chatml} applies TRL's
 * {@code setup_chat_format} (replacing any template, adding {@code <|im_start|>}/{@code <|im_end|>}); an inline
 * template overrides either.
 */
public final class TokenizerSetup {

    private TokenizerSetup() {
    }

    /**
     * @param tokenizer     what to tokenize (and save next to the model) with; the caller closes it
     * @param embeddingRows rows the model's embedding/LM head must be resized to, or null to keep the model's
     * @param addedTokens   special tokens added to the vocabulary (0 in model mode)
     */
    public record Prepared(HfTokenizer tokenizer, ChatTemplate template, Integer embeddingRows, int addedTokens)
            implements AutoCloseable {
        @Override
        public void close() {
            tokenizer.close();
        }
    }

    /** @param modelDir holds tokenizer.json and tokenizer_config.json */
    public static Prepared load(Path modelDir, ChatTemplateSpec spec) throws IOException {
        if (!spec.mode().equals(ChatTemplateSpec.MODEL) && !spec.mode().equals(ChatTemplateSpec.CHATML)) {
            throw new IllegalArgumentException("chat_template.mode must be model or chatml, got " + spec.mode());
        }
        HfTokenizer tokenizer = HfTokenizer.load(modelDir);
        Integer rows = null;
        int added = 0;
        if (spec.mode().equals(ChatTemplateSpec.CHATML)) {
            ChatmlSetup.Result r;
            try {
                r = ChatmlSetup.apply(tokenizer, null, true);
            } finally {
                tokenizer.close();
            }
            tokenizer = r.tokenizer();
            rows = r.embeddingRows();
            added = r.addedTokens();
        }
        try {
            ChatTemplate template = spec.template() != null ? ChatTemplate.of(spec.template()) : ChatTemplate.of(tokenizer);
            return new Prepared(tokenizer, template, rows, added);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** TRL ORPO tokenization with the run's max_length, max_prompt_length and truncation_mode. */
    public static PreferenceTokenizer preferenceTokenizer(Prepared prepared, TrainingArgs args) {
        return new PreferenceTokenizer(prepared.tokenizer(), prepared.template(), PreferenceTokenizationConfig.of(args));
    }
}
