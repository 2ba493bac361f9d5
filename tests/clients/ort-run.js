// SPDX-License-Identifier: GPL-3.0-or-later
// Runs an ONNX file in ONNX Runtime (onnxruntime-node, CPU provider, 2
// intra-op threads) on one planar float32 [1, 3, H, W] image for
// tests/clients/test-ort.c.
//   node ort-run.js MODEL IN.f32 WIDTH HEIGHT OUT.f32
// Writes the output's float32 values to OUT.f32 and prints
// "ort VERSION" and then the output's dimensions ("1 3 H W").
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, inPath, w, h, outPath] = process.argv.slice(2);
  const width = Number(w), height = Number(h);
  const bytes = fs.readFileSync(inPath);
  if (bytes.length !== 12 * width * height)
    throw new Error(`${inPath}: ${bytes.length} bytes for a 3x${height}x${width} float32 image`);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, interOpNumThreads: 1 });
  if (session.inputNames.length !== 1 || session.outputNames.length !== 1)
    throw new Error('the model must have one input and one output');
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, height, width]) };
  const out = (await session.run(feeds))[session.outputNames[0]];
  if (out.type !== 'float32')
    throw new Error(`the output is ${out.type}, not float32`);
  fs.writeFileSync(outPath, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  console.log(`ort ${require('onnxruntime-node/package.json').version}`);
  console.log(out.dims.join(' '));
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
