"""Independent reference for ChatTemplateTest: renders the real chat templates with Python Jinja2 configured the way
transformers' apply_chat_template does (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols,
raise_exception, tojson = json.dumps(ensure_ascii=False)).

Usage: python3 src/test/python/reference_renders.py target/npm-fixtures > src/test/resources/text/reference-renders.json
"""
import json
import sys

from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>'"
          " + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

CONVERSATIONS = [
    [{"role": "user", "content": "Hi"}],
    [{"role": "user", "content": "  What is 2+2?\n"}, {"role": "assistant", "content": "4"}],
    [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Über naïve café 🦊?"},
     {"role": "assistant", "content": "Ja."}, {"role": "user", "content": "And?"}],
    [{"role": "user", "content": "Plan?"}, {"role": "assistant", "content": "<think>\nstep 1\n\n</think>\n\nDone."}],
    [{"role": "user", "content": "a"}, {"role": "assistant", "content": "<think>x</think>b"},
     {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}],
]


def raise_exception(message):
    raise ValueError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def main(fixtures):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    templates = {"chatml": (CHATML, None, "<|im_end|>")}
    for name in ["llama3", "qwen3"]:
        with open(f"{fixtures}/{name}/package/models/tokenizer_config.json", encoding="utf-8") as f:
            config = json.load(f)
        templates[name] = (config["chat_template"], config.get("bos_token"), config.get("eos_token"))
    out = []
    for name, (source, bos, eos) in templates.items():
        template = env.from_string(source)
        for messages in CONVERSATIONS:
            for add_generation_prompt in (True, False):
                special = {k: v for k, v in (("bos_token", bos), ("eos_token", eos)) if v is not None}
                rendered = template.render(messages=messages, add_generation_prompt=add_generation_prompt, **special)
                out.append({"template": name, "messages": messages, "add_generation_prompt": add_generation_prompt,
                            "rendered": rendered})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
