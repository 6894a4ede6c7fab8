// Gives the wasm's imports short names, in the module and in its glue together:
// `./tubeswarm_bg.js`.`__wbg_appendBuffer_3c4f...` becomes `w`.`a`, and so on.
// Run by scripts/package.mjs after wasm-pack (so pkg/ always ships it this way).
//
// Why: wasm-bindgen names each of the ~165 JS functions the wasm imports after
// the function plus a 16-hex-digit hash, and every name is written twice (the
// wasm's import section and the glue's import object). Random hex is what
// brotli cannot compress: about 2.5 KiB of the page's download (BENCHMARKS.md,
// the bundle section). The page never reads these names; only the two files
// must agree.
//
// Why hand-written: wasm-bindgen has no option for it, and binaryen's
// `wasm-opt --minify-imports` renames only the imports of Emscripten's `env`
// and `wasi_*` modules (run on this wasm it renamed none). The import section
// is the only part rewritten: a vector of (module, field, descriptor), with no
// offsets into it anywhere else in the module, so every other section is
// copied byte for byte. The glue is rewritten only where wasm-bindgen writes
// each key of its import object, `        <name>: function(`, and each name
// must be found there exactly once, or the build fails.
import { readFileSync, writeFileSync } from "node:fs";

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function uleb(bytes, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function writeUleb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

const utf8 = (s) => Buffer.from(s, "utf8");
const name = (s) => Buffer.concat([writeUleb(utf8(s).length), utf8(s)]);

/** The length in bytes of the import descriptor at `at` (function, table, memory, global, tag). */
function descriptorEnd(bytes, at) {
  const limits = (p) => {
    const flags = bytes[p++];
    [, p] = uleb(bytes, p);
    if (flags & 1) [, p] = uleb(bytes, p);
    return p;
  };
  switch (bytes[at]) {
    case 0x00: return uleb(bytes, at + 1)[1]; // a function's type index
    case 0x01: return limits(at + 2); // reference type, limits
    case 0x02: return limits(at + 1);
    case 0x03: return at + 3; // value type, mutability
    case 0x04: return uleb(bytes, at + 2)[1]; // attribute, type index
    default: throw new Error(`import descriptor kind ${bytes[at]} at byte ${at} is not one this script knows`);
  }
}

/** `a`..`z`, `A`..`Z`, then two letters and so on: never `__proto__` or another name the object has. */
function shortName(i) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  do {
    s = letters[i % letters.length] + s;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return s;
}

/**
 * Renames every import of `module` in the wasm bytes: returns the new bytes and
 * the map old field name -> new. Other modules' imports keep their names.
 */
export function renameImports(wasm, module, newModule) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm module");
  const parts = [wasm.subarray(0, 8)];
  const renamed = new Map();
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, body] = uleb(wasm, at + 1);
    const end = body + size;
    if (id !== 2) {
      parts.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    let [count, p] = uleb(wasm, body);
    const entries = [writeUleb(count)];
    for (; count > 0; count--) {
      const strings = [];
      for (let k = 0; k < 2; k++) {
        const [len, start] = uleb(wasm, p);
        strings.push(wasm.subarray(start, start + len).toString("utf8"));
        p = start + len;
      }
      const descEnd = descriptorEnd(wasm, p);
      let [mod, field] = strings;
      if (mod === module) {
        if (!renamed.has(field)) renamed.set(field, shortName(renamed.size));
        mod = newModule;
        field = renamed.get(field);
      }
      entries.push(name(mod), name(field), wasm.subarray(p, descEnd));
      p = descEnd;
    }
    if (p !== end) throw new Error(`the import section ends at ${p}, its size says ${end}`);
    const content = Buffer.concat(entries);
    parts.push(Buffer.from([2]), writeUleb(content.length), content);
    at = end;
  }
  return { wasm: Buffer.concat(parts), renamed };
}

/** The same renaming in wasm-bindgen's glue (`--target web`). */
export function renameInGlue(glue, module, newModule, renamed) {
  let out = glue;
  for (const [from, to] of renamed) {
    const key = `\n        ${from}: function(`;
    const found = out.split(key).length - 1;
    if (found !== 1) throw new Error(`the glue defines import ${from} ${found} times, expected once`);
    out = out.replace(key, `\n        ${to}: function(`);
  }
  const moduleKey = `        ${JSON.stringify(module)}: import0,`;
  if (out.split(moduleKey).length !== 2) throw new Error(`the glue's import object has no single ${moduleKey.trim()}`);
  return out.replace(moduleKey, `        ${JSON.stringify(newModule)}: import0,`);
}

/** Rewrites `<dir>/<stem>_bg.wasm` and `<dir>/<stem>.js` in place. */
export function shortenImports(dir, stem) {
  const wasmPath = `${dir}/${stem}_bg.wasm`, gluePath = `${dir}/${stem}.js`;
  const module = `./${stem}_bg.js`, newModule = "w";
  const { wasm, renamed } = renameImports(readFileSync(wasmPath), module, newModule);
  const glueText = readFileSync(gluePath, "utf8");
  // Run twice on one build (package.mjs by hand): the second run has nothing to do.
  if (renamed.size === 0 && glueText.includes(`${JSON.stringify(newModule)}: import0,`)) return 0;
  const glue = renameInGlue(glueText, module, newModule, renamed);
  if (!WebAssembly.validate(wasm)) throw new Error(`${wasmPath} does not validate after its imports were renamed`);
  writeFileSync(wasmPath, wasm);
  writeFileSync(gluePath, glue);
  return renamed.size;
}
