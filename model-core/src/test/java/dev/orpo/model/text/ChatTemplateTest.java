package dev.orpo.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.orpo.model.text.ChatMessage.assistant;
import static dev.orpo.model.text.ChatMessage.system;
import static dev.orpo.model.text.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatTemplateTest {

    static HfTokenizer llama;
    static HfTokenizer qwen;

    @BeforeAll
    static void load() {
        llama = NpmTokenizers.llama3();
        qwen = NpmTokenizers.qwen3();
    }

    @AfterAll
    static void close() {
        llama.close();
        qwen.close();
    }

    private static final List<ChatMessage> TWO_TURNS =
            List.of(user("What is 2+2?"), assistant(" 4 "), user("And 3+3?"));

    @Test
    void llama3TemplateRendersTwoTurnConversationLiterally() {
        String text = ChatTemplate.of(llama).render(TWO_TURNS, true, llama);
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nAnd 3+3?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", text);
    }

    @Test
    void llama3RenderingMatchesTheJsJinjaEngineOfTheNpmPackage() throws Exception {
        JsonNode chat;
        try (InputStream in = getClass().getResourceAsStream("/text/expected-ids.json")) {
            chat = new ObjectMapper().readTree(in).get("llama3").get("chat");
        }
        List<ChatMessage> messages = new ArrayList<>();
        chat.get("messages").forEach(m -> messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText())));
        String text = ChatTemplate.of(llama).render(messages, true, llama);
        assertEquals(chat.get("rendered").asText(), text);
        int[] ids = new ObjectMapper().convertValue(chat.get("ids"), int[].class);
        assertEquals(java.util.Arrays.toString(ids), java.util.Arrays.toString(llama.encode(text)));
    }

    @Test
    void realTemplatesRenderLikePythonJinja2ConfiguredAsTransformers() throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/text/reference-renders.json")) {
            cases = new ObjectMapper().readTree(in);
        }
        Map<String, ChatTemplate> templates = Map.of("llama3", ChatTemplate.of(llama), "qwen3", ChatTemplate.of(qwen),
                "chatml", ChatTemplate.of(ChatmlSetup.CHATML_TEMPLATE));
        Map<String, HfTokenizer> tokenizers = Map.of("llama3", llama, "qwen3", qwen);
        int checked = 0;
        for (JsonNode c : cases) {
            String name = c.get("template").asText();
            List<ChatMessage> messages = new ArrayList<>();
            c.get("messages").forEach(m -> messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText())));
            HfTokenizer tok = tokenizers.get(name);
            String text = templates.get(name).render(messages, c.get("add_generation_prompt").asBoolean(),
                    tok == null ? null : tok.bosToken(), tok == null ? "<|im_end|>" : tok.eosToken(), Map.of());
            assertEquals(c.get("rendered").asText(), text, name + " " + c.get("messages"));
            checked++;
        }
        assertEquals(30, checked);
    }

    @Test
    void qwen3TemplateRendersSystemAndTwoTurnsLiterally() {
        List<ChatMessage> messages = new ArrayList<>(List.of(system("You are terse.")));
        messages.addAll(List.of(user("What is 2+2?"), assistant("4"), user("And 3+3?")));
        String text = ChatTemplate.of(qwen).render(messages, true, qwen);
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\nAnd 3+3?<|im_end|>\n"
                + "<|im_start|>assistant\n", text);
    }

    @Test
    void qwen3FinalAssistantTurnGetsAnEmptyThinkBlock() {
        String text = ChatTemplate.of(qwen).render(List.of(user("What is 2+2?"), assistant("4")), false, qwen);
        assertEquals("<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\n\n</think>\n\n4<|im_end|>\n", text);
    }

    @Test
    void qwen3SplitsReasoningOutOfContentWithPythonStringMethods() {
        String text = ChatTemplate.of(qwen).render(
                List.of(user("Hi"), assistant("<think>\nplan it\n</think>\n\nHello")), false, qwen);
        assertEquals("<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nplan it\n</think>\n\nHello<|im_end|>\n", text);
    }

    @Test
    void qwen3EnableThinkingFalseAddsEmptyThinkToGenerationPrompt() {
        String text = ChatTemplate.of(qwen).render(List.of(user("Hi")), true, null, "<|im_end|>",
                Map.of("enable_thinking", false));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", text);
    }

    @Test
    void raiseExceptionAbortsTheRenderWithItsMessage() {
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{% if m.role == 'tool' %}"
                + "{{ raise_exception('Conversation roles must be user/assistant') }}{% endif %}{{ m.content }}"
                + "{% endfor %}");
        assertEquals("ab", t.render(List.of(user("a"), assistant("b")), false, null, null, Map.of()));
        Exception e = assertThrows(ChatTemplate.ChatTemplateException.class,
                () -> t.render(List.of(new ChatMessage("tool", "x")), false, null, null, Map.of()));
        assertTrue(e.getMessage().contains("Conversation roles must be user/assistant"), e.getMessage());
    }

    @Test
    void pythonJinjaIdiomsBehaveAsInPython() {
        String out = ChatTemplate.of("{%- set ns = namespace(n=messages|length - 1, seen=false) -%}\n"
                + "{%- for m in messages[::-1] %}\n"
                + "  {%- if loop.first %}[{% endif -%}\n"
                + "  {{- m.content.strip() ~ '|' ~ m.content.rstrip(' x') ~ '|' ~ (m.content|trim) -}}\n"
                + "  {%- if m.content.startswith(' x') and not m.content.endswith('q') %}{% set ns.seen = true %}"
                + "{% endif -%}\n"
                + "  {%- if not loop.last %};{% else %}]{% endif -%}\n"
                + "{%- endfor %}\n"
                + "{{ ns.n }} {{ ns.seen }} {{ messages[1:]|length }} {{ 'a,b,,'.split(',')|length }} "
                + "{{ {'k': [1, 'v']}|tojson }} {{ undefined_name is defined }}{% for i in [1,2,3] %}"
                + "{% if i == 2 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}\n")
                .render(List.of(user(" x1 "), assistant("\u00a0y ")), false, null, null, Map.of());
        assertEquals("[y|\u00a0y|y;x1| x1|x1]1 true 1 4 {\"k\": [1, \"v\"]} false1", out);
    }

    @Test
    void llama31StyleConstructsWork() {
        // system message pulled out with messages[1:], builtin tools joined, date fallback when strftime_now is absent
        String out = ChatTemplate.of("{%- if messages[0]['role'] == 'system' %}"
                + "{%- set system_message = messages[0]['content']|trim %}{%- set messages = messages[1:] %}"
                + "{%- else %}{%- set system_message = '' %}{%- endif %}"
                + "{%- if not date_string is defined %}{%- if strftime_now is defined %}"
                + "{%- set date_string = strftime_now('%d %b %Y') %}{%- else %}{%- set date_string = '26 Jul 2024' %}"
                + "{%- endif %}{%- endif %}"
                + "{{- 'Tools: ' + ['brave_search', 'code_interpreter', 'wolfram_alpha'] | reject('equalto', "
                + "'code_interpreter') | join(', ') + '\n' }}"
                + "{{- 'Today Date: ' + date_string + '\n' + system_message + '|' }}"
                + "{%- for message in messages %}{{ message.role }}{% endfor %}")
                .render(List.of(system(" Be brief. "), user("u"), assistant("a")), false, null, null, Map.of());
        assertEquals("Tools: brave_search, wolfram_alpha\nToday Date: 26 Jul 2024\nBe brief.|userassistant", out);
    }

    @Test
    void tojsonWithIndentFormatsLikePythonJsonDumps() {
        // json.dumps(x, indent=4) and json.dumps(x, sort_keys=True, indent=2) in Python 3
        String out = ChatTemplate.of("{% set x = {'name': 'f', 'parameters': {'a': [1, 'x'], 'b': {}}, 'z': []} %}"
                + "{{ x|tojson(indent=4) }}|{{ x|tojson(sort_keys=true, indent=2) }}")
                .render(List.of(user("u")), false, null, null, Map.of());
        assertEquals("{\n    \"name\": \"f\",\n    \"parameters\": {\n        \"a\": [\n            1,\n"
                + "            \"x\"\n        ],\n        \"b\": {}\n    },\n    \"z\": []\n}|"
                + "{\n  \"name\": \"f\",\n  \"parameters\": {\n    \"a\": [\n      1,\n      \"x\"\n    ],\n"
                + "    \"b\": {}\n  },\n  \"z\": []\n}", out);
    }

    @Test
    void missingTemplateIsReportedWithTheFix() {
        try (HfTokenizer bare = qwen.withConfig(null, "<|im_end|>", null, null)) {
            Exception e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.of(bare));
            assertTrue(e.getMessage().contains("chat_template"), e.getMessage());
        }
    }
}
