#!/usr/bin/env python3
"""Renders hand-written rows through lm-evaluation-harness's own task definitions, as golden values for our tests.

For each task in ROWS (JSON: {task: {"eval": [hub rows], "fewshot": [rows of the task's training split]}}) this
loads the task's YAML from an lm-evaluation-harness checkout (includes resolved, `!function` helpers imported from
the task's own utils files) and renders every eval row the way lm-eval's ConfigurableTask does: process_docs,
doc_to_text / doc_to_choice / doc_to_target (Jinja with lm-eval's settings), the target delimiter, multiple inputs
(Winogrande), and the few-shot context of lm-eval's default sampler (random.Random(1234), k + 1 drawn and the doc
itself dropped when the few-shot split equals the test split). Only the standard library, PyYAML and Jinja2 are
needed; modules a utils file imports that are not installed (datasets, numpy, sacrebleu, ...) are stubbed.

Usage: render_requests.py LM_EVAL_CHECKOUT ROWS.json OUT.json
Output: {task: {"k0": [doc], "k2": [doc]}} with doc = {"requests": [[context, continuation], ...], "choices": [...],
"gold": [index, ...]}; "k2" only for tasks whose few-shot rendering lm-eval supports.
"""
import ast
import importlib.util
import json
import os
import random
import re
import sys
import types

import jinja2
import yaml

SEED = 1234
TARGET_DELIMITER = " "
FEWSHOT_DELIMITER = "\n\n"


class Function:
    def __init__(self, yaml_dir, ref):
        module, name = ref.rsplit(".", 1)
        self.path = os.path.join(yaml_dir, module.replace(".", "/") + ".py")
        self.name = name

    def load(self):
        for missing in ("datasets", "numpy", "sacrebleu", "rouge_score", "rouge_score.rouge_scorer"):
            try:
                __import__(missing)
            except ImportError:
                stub = types.ModuleType(missing)
                stub.Dataset = object  # only used in annotations
                sys.modules[missing] = stub
        sys.modules["rouge_score"].rouge_scorer = sys.modules.get("rouge_score.rouge_scorer")
        sys.modules["rouge_score"].scoring = types.ModuleType("scoring")
        spec = importlib.util.spec_from_file_location("lmeval_utils_" + str(abs(hash(self.path))), self.path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, self.name)


def load_yaml(path):
    yaml_dir = os.path.dirname(path)

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!function", lambda loader, node: Function(yaml_dir, loader.construct_scalar(node)))
    with open(path) as f:
        config = yaml.load(f, Loader=Loader)
    if "include" in config:
        base = load_yaml(os.path.join(yaml_dir, config.pop("include")))
        base.update(config)
        config = base
    return config


def find_yaml(checkout, task):
    for root, _, files in os.walk(os.path.join(checkout, "lm_eval", "tasks")):
        for name in files:
            if name.endswith(".yaml") or name.endswith("_yaml"):
                path = os.path.join(root, name)
                with open(path) as f:
                    if re.search(r"^task: " + re.escape(task) + r"\s*$", f.read(), re.M):
                        return path
    raise SystemExit("no YAML for task " + task)


class Docs(list):
    """Enough of datasets.Dataset for process_docs helpers: map merges the returned columns, filter keeps."""

    def map(self, fn):
        return Docs({**doc, **fn(doc)} for doc in self)

    def filter(self, fn):
        return Docs(doc for doc in self if fn(doc))


ENV = jinja2.Environment(loader=jinja2.BaseLoader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


class Task:
    def __init__(self, config):
        self.c = config
        for key in ("process_docs", "doc_to_text", "doc_to_target", "doc_to_choice"):
            if isinstance(config.get(key), Function):
                config[key] = config[key].load()

    def process(self, rows):
        docs = Docs(rows)
        return list(self.c["process_docs"](docs)) if self.c.get("process_docs") else list(docs)

    def text(self, doc):
        t = self.c["doc_to_text"]
        if isinstance(t, int):
            return t
        if callable(t):
            return t(doc)
        if t in doc:
            return doc[t]
        s = ENV.from_string(t).render(**doc)
        return ast.literal_eval(s) if s.isdigit() and self.c.get("doc_to_choice") is not None else s

    def target(self, doc):
        t = self.c["doc_to_target"]
        if isinstance(t, (int, list)):
            return t
        if callable(t):
            return t(doc)
        if t in doc:
            return doc[t]
        s = ENV.from_string(t).render(**doc)
        if s.isdigit() and self.c.get("doc_to_choice") is not None:
            return ast.literal_eval(s)
        if len(s) >= 2 and s[0] == "[" and s[-1] == "]":
            return ast.literal_eval(s)
        return s

    def choices(self, doc):
        t = self.c["doc_to_choice"]
        if isinstance(t, list):
            return t
        if callable(t):
            return t(doc)
        if t in doc:
            return doc[t]
        return ast.literal_eval(ENV.from_string(t).render(**doc))

    def multiple_input(self, doc):
        return isinstance(self.text(doc), int)

    def example(self, doc):
        q, c, a = self.text(doc), self.choices(doc), self.target(doc)
        if self.multiple_input(doc):
            q = c[q]
            c = None
        answer = c[a] if (c and isinstance(a, int)) else a[0] if isinstance(a, list) else a
        return q + TARGET_DELIMITER + answer + FEWSHOT_DELIMITER

    def requests(self, doc, prefix):
        choices = self.choices(doc)
        if self.multiple_input(doc):
            cont = self.target(doc)
            return [[prefix + ctx, TARGET_DELIMITER + cont] for ctx in choices]
        return [[prefix + self.text(doc), TARGET_DELIMITER + choice] for choice in choices]

    def gold(self, doc):
        if "mc2_targets" in self.c["doc_to_choice"] if isinstance(self.c["doc_to_choice"], str) else False:
            return [i for i, label in enumerate(doc["mc2_targets"]["labels"]) if label == 1]
        g = self.text(doc) if self.multiple_input(doc) else self.target(doc)
        if isinstance(g, str):
            g = self.choices(doc).index(g)
        return g if isinstance(g, list) else [g]


def render(task, rows, k):
    eval_docs = task.process(rows["eval"])
    if task.c.get("training_split"):
        pool = task.process(rows["fewshot"])
    elif task.c.get("validation_split") and task.c.get("test_split"):
        pool = task.process(rows["fewshot"])
    else:
        pool = eval_docs
    exclude = task.c.get("fewshot_split") == task.c.get("test_split")
    rnd = random.Random(SEED)
    out = []
    for doc in eval_docs:
        prefix = ""
        if k > 0:
            drawn = [x for x in rnd.sample(pool, k + 1) if x != doc][:k] if exclude else rnd.sample(pool, k)
            prefix = "".join(task.example(x) for x in drawn)
        out.append({"requests": task.requests(doc, prefix), "choices": task.choices(doc), "gold": task.gold(doc)})
    return out


def main(checkout, rows_path, out_path):
    with open(rows_path) as f:
        all_rows = json.load(f)
    result = {}
    for name, rows in all_rows.items():
        task = Task(load_yaml(find_yaml(checkout, name)))
        result[name] = {"k0": render(task, rows, 0)}
        few_shot_works = task.c.get("num_fewshot") != 0 and not name.startswith("agieval")
        if few_shot_works:  # AGIEval's list targets make lm-eval's few-shot rendering fail (docs/eval-tasks.md)
            result[name]["k2"] = render(task, rows, 2)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
