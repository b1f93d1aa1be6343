package dev.orpo.model.text;

import java.util.List;

/**
 * TRL's {@code setup_chat_format(model, tokenizer, format="chatml", resize_to_multiple_of=None)}, tokenizer side:
 * adds {@code <|im_start|>} and {@code <|im_end|>} as special tokens (new ids after the current {@code len(tokenizer)}
 * unless already known), sets bos = {@code <|im_start|>}, eos = pad = {@code <|im_end|>}, installs the ChatML template,
 * and reports how many rows the model's embedding (and LM head) must then have: TRL calls
 * {@code model.resize_token_embeddings(len(tokenizer), pad_to_multiple_of=resize_to_multiple_of)}, i.e. exactly the new
 * tokenizer size, or that size rounded up to the multiple. Note this is {@code len(tokenizer)}, not the old embedding
 * size: for Llama 3 (128256 rows, 128256 tokens) it gives 128258, or 128320 with multiple 64. Like TRL, a tokenizer that
 * already has a chat template is refused unless the caller explicitly replaces it.
 */
public final class ChatmlSetup {

    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    /** TRL's ChatMlSpecialTokens.chat_template, verbatim in behaviour. */
    public static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{'" + IM_START + "' + message['role'] + '\\n' + message['content'] + '" + IM_END + "' + '\\n'}}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '" + IM_START + "assistant\\n' }}{% endif %}";

    private ChatmlSetup() {
    }

    /**
     * @param tokenizer            left unchanged (a new tokenizer is returned)
     * @param resizeToMultipleOf   null, or a positive multiple to round the embedding rows up to
     * @param replaceExistingTemplate TRL raises when a template exists; true drops it first (what TRL users do by
     *                                setting {@code tokenizer.chat_template = None})
     */
    public static Result apply(HfTokenizer tokenizer, Integer resizeToMultipleOf, boolean replaceExistingTemplate) {
        if (resizeToMultipleOf != null && resizeToMultipleOf <= 0) {
            throw new IllegalArgumentException("resizeToMultipleOf must be positive, got " + resizeToMultipleOf);
        }
        if (tokenizer.chatTemplate().isPresent() && !replaceExistingTemplate) {
            throw new IllegalArgumentException("Chat template is already added to the tokenizer; pass "
                    + "replaceExistingTemplate=true to overwrite it with ChatML");
        }
        int oldSize = tokenizer.size();
        HfTokenizer chatml;
        try (HfTokenizer withTokens = tokenizer.withAddedSpecialTokens(List.of(IM_START, IM_END))) {
            chatml = withTokens.withConfig(IM_START, IM_END, IM_END, CHATML_TEMPLATE);
        }
        int newSize = chatml.size();
        return new Result(chatml, oldSize, newSize, newSize - oldSize, embeddingRows(newSize, resizeToMultipleOf));
    }

    /** HF {@code resize_token_embeddings(size, pad_to_multiple_of)}: size, rounded up to the multiple if given. */
    public static int embeddingRows(int tokenizerSize, Integer resizeToMultipleOf) {
        if (resizeToMultipleOf == null) {
            return tokenizerSize;
        }
        if (resizeToMultipleOf <= 0) {
            throw new IllegalArgumentException("resizeToMultipleOf must be positive, got " + resizeToMultipleOf);
        }
        return Math.floorDiv(tokenizerSize + resizeToMultipleOf - 1, resizeToMultipleOf) * resizeToMultipleOf;
    }

    /**
     * @param tokenizer     the ChatML tokenizer (caller closes it)
     * @param addedTokens   2 for a tokenizer that knew neither token, fewer when some existed (e.g. Qwen)
     * @param embeddingRows the vocabulary size the model's embedding and LM head must be resized to
     */
    public record Result(HfTokenizer tokenizer, int oldSize, int newSize, int addedTokens, int embeddingRows) {
    }
}
