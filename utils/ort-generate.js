#!/usr/bin/env node
//===- utils/ort-generate.js - Greedy TinyLM generation with ONNX Runtime --===//
//
// The peer of examples/tinylm/generate.py: the same greedy loop over a
// TinyLM decode-step model (inputs token, position, mask, past_k, past_v;
// outputs logits, present_k, present_v), run by onnxruntime-node.
//
//   node utils/ort-generate.js tinylm_step.onnx --prompt TEXT \
//        [--tokens N] [--threads T]
//
// Prints one JSON line: {"tokens": [...], "seconds": S, "tokens_per_s": R},
// where S times the decode loop from the prompt's last byte on, as
// generate.py does.
//
//===----------------------------------------------------------------------===//
'use strict';
const os = require('os');
const path = require('path');

function die(msg) {
  process.stderr.write(`ort-generate: error: ${msg}\n`);
  process.exit(1);
}

const modulesDir = process.env.ORT_NODE_MODULES ||
  path.join(process.env.QUANT_CACHE_DIR || path.join(os.homedir(), '.cache', 'quant'),
            'ort', 'node_modules');
let ort;
try {
  ort = require(path.join(modulesDir, 'onnxruntime-node'));
} catch (e) {
  die(`cannot load onnxruntime-node from ${modulesDir} (run utils/fetch-models.sh): ${e.message}`);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help')) {
    process.stdout.write('usage: ort-generate.js MODEL.onnx [--prompt TEXT] [--tokens N] ' +
                         '[--threads T]\n');
    return;
  }
  const model = args.shift();
  let prompt = 'In the beginning was the Word', tokens = 100, threads = 1;
  while (args.length) {
    const flag = args.shift(), value = args.shift();
    if (value === undefined) die(`${flag} needs a value`);
    if (flag === '--prompt') prompt = value;
    else if (flag === '--tokens') tokens = Number(value);
    else if (flag === '--threads') threads = Number(value);
    else die(`unknown option ${flag}`);
  }
  let session;
  try {
    session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    });
  } catch (e) { die(`${model}: ${e.message}`); }
  // This onnxruntime-node does not report input shapes: the cache shape
  // comes from the info.json examples/tinylm/export.py writes next to it.
  let info;
  try {
    info = require(path.join(path.dirname(path.resolve(model)), 'info.json'));
  } catch (e) { die(`${model}: no info.json next to it (examples/tinylm/export.py): ${e.message}`); }
  const cfg = info.config;
  const T = cfg.context, L = cfg.n_layer, H = cfg.n_head, Dh = cfg.d_model / cfg.n_head;
  const bytes = Buffer.from(prompt, 'latin1');
  if (bytes.length === 0 || bytes.length >= T) die(`the prompt must have 1..${T - 1} bytes`);
  // Two sets of cache tensors used in turn, as generate.py does: a step
  // reads past_k/past_v from one and ORT writes present_k/present_v into
  // the other (pre-allocated outputs), so no step allocates a cache.
  const cache = () => new ort.Tensor('float32', new Float32Array(L * H * T * Dh), [L, H, T, Dh]);
  const caches = [{k: cache(), v: cache()}, {k: cache(), v: cache()}];
  const logitsOut = new ort.Tensor('float32', new Float32Array(256), [1, 256]);  // byte-level
  const mask = new Float32Array(T);
  let turn = 0;
  async function step(byte, pos) {
    mask[pos] = 1;
    const past = caches[turn], present = caches[1 - turn];
    await session.run({
      token: new ort.Tensor('int64', BigInt64Array.from([BigInt(byte)]), [1, 1]),
      position: new ort.Tensor('int64', BigInt64Array.from([BigInt(pos)]), [1]),
      mask: new ort.Tensor('float32', Float32Array.from(mask), [1, T]),
      past_k: past.k, past_v: past.v,
    }, {logits: logitsOut, present_k: present.k, present_v: present.v});
    turn = 1 - turn;
    return logitsOut.data;
  }
  function argmax(a) {
    let best = 0;
    for (let i = 1; i < a.length; ++i) if (a[i] > a[best]) best = i;
    return best;
  }
  for (let p = 0; p + 1 < bytes.length; ++p) await step(bytes[p], p);
  let pos = bytes.length - 1;
  const generated = [];
  const t0 = process.hrtime.bigint();
  let logits = await step(bytes[pos], pos);
  while (generated.length < tokens && pos + 1 < T) {
    generated.push(argmax(logits));
    if (generated.length === tokens || pos + 2 >= T) break;
    pos += 1;
    logits = await step(generated[generated.length - 1], pos);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({
    tokens: generated, seconds, tokens_per_s: seconds > 0 ? generated.length / seconds : 0,
  }) + '\n');
}

main().catch(e => die(e.stack || String(e)));
