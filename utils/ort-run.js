#!/usr/bin/env node
//===- utils/ort-run.js - Run an ONNX model with ONNX Runtime (the peer) ---===//
//
// The reference quant is compared and benchmarked against: onnxruntime-node
// from npm (utils/fetch-models.sh installs it under the model cache). Same
// command line as quant-run, so scripts can swap one for the other:
//
//   node utils/ort-run.js MODEL.onnx --input NAME=FILE.npy ... \
//        [--output-dir DIR] [--bench N] [--threads T]
//
// Reads and writes .npy (float32, int64, int32, uint8, int8, bool; C order).
// --bench N runs N timed runs after 3 warm-up runs and prints
// `median X.XXX ms (min A, max B; N runs, T threads)`, as quant-run does.
// ORT_NODE_MODULES overrides where onnxruntime-node is looked up.
//
//===----------------------------------------------------------------------===//
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

function die(msg) {
  process.stderr.write(`ort-run: error: ${msg}\n`);
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

const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array],
  '<i4': ['int32', Int32Array], '|u1': ['uint8', Uint8Array],
  '|i1': ['int8', Int8Array], '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  let b;
  try { b = fs.readFileSync(file); } catch (e) { die(`${file}: ${e.message}`); }
  if (b.length < 10 || b.toString('latin1', 0, 6) !== '\x93NUMPY') die(`${file}: not a .npy file`);
  const major = b[6];
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = b.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || /'fortran_order':\s*True/.test(header)) die(`${file}: unsupported .npy header ${header.trim()}`);
  const kind = NPY_TYPES[descr[1]];
  if (!kind) die(`${file}: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const data = b.subarray(start);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  const typed = new kind[1](copy.buffer, 0, data.length / kind[1].BYTES_PER_ELEMENT);
  return new ort.Tensor(kind[0], kind[0] === 'bool' ? Uint8Array.from(typed) : typed, dims);
}

// Same mapping as quant-run: [A-Za-z0-9_.-] kept, others become '_', and a
// leading '.' or an empty name gets a '_' prefix.
function safeFileName(name) {
  const out = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return out === '' || out[0] === '.' ? '_' + out : out;
}

function writeNpy(file, tensor) {
  const descr = Object.keys(NPY_TYPES).find(k => NPY_TYPES[k][0] === tensor.type);
  if (!descr) die(`output type ${tensor.type} cannot be written as .npy`);
  const dims = tensor.dims.join(', ') + (tensor.dims.length === 1 ? ',' : '');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const d = tensor.data;
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'),
                                        Buffer.from(d.buffer, d.byteOffset, d.byteLength)]));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help')) {
    process.stdout.write('usage: ort-run.js MODEL.onnx [--input NAME=FILE.npy]... ' +
                         '[--output-dir DIR] [--bench N] [--threads T]\n');
    return;
  }
  const model = args.shift();
  const inputs = [];
  let outDir = null, bench = 0, threads = 1;
  while (args.length) {
    const flag = args.shift(), value = args.shift();
    if (value === undefined) die(`${flag} needs a value`);
    if (flag === '--input') inputs.push(value);
    else if (flag === '--output-dir') outDir = value;
    else if (flag === '--bench') bench = Number(value);
    else if (flag === '--threads') threads = Number(value);
    else die(`unknown option ${flag}`);
  }
  let session;
  try {
    session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    });
  } catch (e) { die(`${model}: ${e.message}`); }
  const feeds = {};
  for (const spec of inputs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? session.inputNames[0] : spec.slice(0, eq);
    feeds[name] = readNpy(eq < 0 ? spec : spec.slice(eq + 1));
  }
  let out;
  try { out = await session.run(feeds); } catch (e) { die(`${model}: ${e.message}`); }
  if (outDir) {
    fs.mkdirSync(outDir, { recursive: true });
    for (const name of session.outputNames)
      writeNpy(path.join(outDir, safeFileName(name) + '.npy'), out[name]);
  } else {
    for (const name of session.outputNames)
      process.stdout.write(`${name}: ${out[name].type} [${out[name].dims.join('x')}]\n`);
  }
  if (bench > 0) {
    for (let i = 0; i < 3; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < bench; ++i) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = times.length % 2 ? times[(times.length - 1) / 2]
                                    : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
    process.stdout.write(`median ${median.toFixed(3)} ms (min ${times[0].toFixed(3)}, ` +
                         `max ${times[times.length - 1].toFixed(3)}; ${bench} runs, ` +
                         `${threads} thread${threads === 1 ? '' : 's'})\n`);
  }
}

main().catch(e => die(e.stack || String(e)));
