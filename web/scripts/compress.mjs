// Writes NAME.br and NAME.gz beside every text file of the built app (dist/)
// of at least 1 KiB, so that bingfa serves them precompressed to the browsers
// that accept them: brotli at its best quality and gzip at level 9, once, at
// build time, instead of compressing on every request.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = new URL("../dist/", import.meta.url).pathname;
const text = /\.(html|js|mjs|css|svg|json|txt)$/;
let files = 0, before = 0, br = 0, gz = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
      continue;
    }
    if (!text.test(name) || statSync(path).size < 1024) continue;
    const data = readFileSync(path);
    const b = brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    });
    const g = gzipSync(data, { level: 9 });
    writeFileSync(path + ".br", b);
    writeFileSync(path + ".gz", g);
    files++;
    before += data.length;
    br += b.length;
    gz += g.length;
  }
}

walk(root);
const kib = (n) => (n / 1024).toFixed(0) + " KiB";
console.log(`compress: ${files} files, ${kib(before)} -> brotli ${kib(br)}, gzip ${kib(gz)}`);
