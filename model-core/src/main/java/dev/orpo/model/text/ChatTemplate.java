package dev.orpo.model.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A HF chat template ({@code tokenizer.chat_template}) rendered like transformers' {@code apply_chat_template}
 * (Jinja with {@code trim_blocks}, {@code lstrip_blocks}, loop controls, {@code raise_exception}, {@code tojson}),
 * on Jinjava. Python-isms Jinjava lacks are bridged: Python {@code str} methods ({@link PyStringResolver}), Python's
 * {@code trim}/{@code tojson}, slices and {@code namespace(k=expr)} ({@link JinjaRewrites}), {@code {{-}} trimming.
 * Any template error (including {@code raise_exception}) fails the render with a {@link ChatTemplateException}.
 * <p>Deliberate difference: transformers also defines {@code strftime_now}; it is left undefined here, so templates
 * such as Llama 3.1's take their fixed fallback date and prepared datasets do not change from day to day.
 */
public final class ChatTemplate {

    private static final Jinjava JINJAVA = createEngine();

    private final String source;
    private final String prepared;

    private ChatTemplate(String source) {
        this.source = source;
        this.prepared = JinjaRewrites.apply(source);
    }

    public static ChatTemplate of(String source) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("chat template is empty");
        }
        return new ChatTemplate(source);
    }

    /** The tokenizer's default template; fails naming the tokenizer config when there is none. */
    public static ChatTemplate of(HfTokenizer tokenizer) {
        return of(tokenizer.chatTemplate().orElseThrow(() -> new IllegalArgumentException(
                "tokenizer_config.json has no chat_template: pass a template or set up ChatML")));
    }

    public String source() {
        return source;
    }

    /** Renders with the tokenizer's special tokens as {@code bos_token}/{@code eos_token}. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, HfTokenizer tokenizer) {
        return render(messages, addGenerationPrompt, tokenizer.bosToken(), tokenizer.eosToken(), Map.of());
    }

    /**
     * @param bosToken may be null (the template then sees an undefined {@code bos_token})
     * @param extra    more template variables (e.g. {@code enable_thinking}); may not override the standard ones
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken,
                         Map<String, Object> extra) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("chat template needs at least one message");
        }
        Map<String, Object> context = new HashMap<>(extra);
        List<Map<String, Object>> turns = new ArrayList<>();
        messages.forEach(m -> turns.add(m.asTemplateValue()));
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            context.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            context.put("eos_token", eosToken);
        }
        RenderResult result = JINJAVA.renderForResult(prepared, context);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).collect(Collectors.toList());
        if (!fatal.isEmpty()) {
            throw new ChatTemplateException("chat template failed: " + fatal.stream()
                    .map(e -> "line " + e.getLineno() + ": " + describe(e)).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /** The error's message, or the message of a {@code raise_exception} call found among its causes. */
    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof ChatTemplateException raised) {
                return raised.getMessage();
            }
        }
        return error.getMessage();
    }

    private static Jinjava createEngine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyStringResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        LegacyOverrides python = LegacyOverrides.newBuilder()
                .withUseTrimmingForNotesAndExpressions(true) // {{- x -}} trims like Jinja
                .withParseWhitespaceControlStrictly(true)
                .withUseNaturalOperatorPrecedence(true)
                .withKeepNullableLoopValues(true)
                .withUsePyishObjectMapper(true)
                .build();
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true) // transformers compiles chat templates with trim_blocks and lstrip_blocks
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false) // undefined names are falsy/empty, as in Jinja
                .withElResolver(resolver)
                .withLegacyOverrides(python)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFilter(new PyFilters.Trim());
        jinjava.getGlobalContext().registerFilter(new PyFilters.ToJson());
        jinjava.getGlobalContext().registerFilter(new PyFilters.Slice());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                PyFilters.class, "raiseException", String.class));
        return jinjava;
    }

    /** A template that failed to render, or called {@code raise_exception(message)}. */
    public static final class ChatTemplateException extends IllegalArgumentException {
        public ChatTemplateException(String message) {
            super(message);
        }
    }
}
