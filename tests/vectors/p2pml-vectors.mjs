// Produces tests/vectors/p2pml-2.3.1.json: byte-exact vectors made by the real
// p2p-media-loader-core package, for the Rust tests in src/p2p/conformance_tests.rs.
//
// Usage:
//   mkdir /tmp/p2pml && cd /tmp/p2pml
//   npm pack p2p-media-loader-core@2.3.1 && mkdir c23 && tar xzf p2p-media-loader-core-2.3.1.tgz -C c23
//   # optional, for the 2.2 info_hash form (needs nano-md5 next to it):
//   npm pack p2p-media-loader-core@2.2.2 nano-md5@1.0.5
//   mkdir -p c22 && tar xzf p2p-media-loader-core-2.2.2.tgz -C c22
//   mkdir -p c22/package/node_modules/nano-md5 && tar xzf nano-md5-1.0.5.tgz -C c22/package/node_modules/nano-md5 --strip-components=1
//   node tests/vectors/p2pml-vectors.mjs /tmp/p2pml/c23/package [/tmp/p2pml/c22/package]
//
// What it imports: the package's own compiled ES modules under lib/ (the files
// its package.json "exports" → "import" condition serves): lib/p2p/commands/
// (serializePeerCommand, deserializeCommand, BinaryCommandChunksJoiner),
// lib/p2p/commands/binary-serialization.js (serializeInt), lib/utils/stream.js
// (generateStreamShortId, getStreamSwarmId) and lib/utils/peer.js (getStreamHash).
// Nothing is re-implemented here except (clearly marked) the encodings tubeswarm
// writes where p2pml's own writer is buggy; those are run through p2pml's reader.

import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pkg23, pkg22] = process.argv.slice(2);
if (!pkg23) {
  console.error("usage: node p2pml-vectors.mjs <p2p-media-loader-core 2.3.1 dir> [<2.2.x dir>]");
  process.exit(2);
}
const lib = (pkg, path) => import(pathToFileURL(resolve(pkg, "lib", path)).href);

const Commands = await lib(pkg23, "p2p/commands/index.js");
const Serialization = await lib(pkg23, "p2p/commands/binary-serialization.js");
const Stream = await lib(pkg23, "utils/stream.js");
const Peer = await lib(pkg23, "utils/peer.js");
const { PACKAGE_VERSION } = await lib(pkg23, "utils/version.js");

const hex = (u8) => Buffer.from(u8).toString("hex");
const range = (from, to) => Array.from({ length: to - from }, (_, k) => from + k);
const expandRanges = (ranges) => ranges.flatMap(([from, to]) => range(from, to));

// Joins messages with the package's own joiner and decodes with its own reader.
function p2pmlDecode(messages) {
  let result;
  try {
    const joiner = new Commands.BinaryCommandChunksJoiner((body) => {
      result = Commands.deserializeCommand(body);
    });
    for (const m of messages) joiner.addCommandChunk(m);
    if (result === undefined) return { error: "incomplete" };
    return result;
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

function p2pmlDecodeBody(body) {
  try {
    return Commands.deserializeCommand(body);
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

// ---------------------------------------------------------------- commands
const commands = [];
function cmd(name, command, options = {}) {
  const max = options.max ?? 65535;
  const full = { ...command };
  if (command.l_ranges) full.l = expandRanges(command.l_ranges);
  if (command.p_ranges) full.p = expandRanges(command.p_ranges);
  delete full.l_ranges;
  delete full.p_ranges;
  const messages = Commands.serializePeerCommand(full, max);
  const entry = { name, max_message_size: max, command };
  if (options.big) {
    // Too large to store: lengths and SHA-256 of each message.
    entry.message_lengths = messages.map((m) => m.length);
    entry.messages_sha256 = messages.map((m) => createHash("sha256").update(m).digest("hex"));
  } else {
    entry.messages_hex = messages.map(hex);
  }
  const decoded = p2pmlDecode(messages);
  entry.p2pml_decoded_ok = !decoded.error && JSON.stringify(normalize(decoded)) === JSON.stringify(normalize(full));
  // Only kept where it differs from the input (p2pml's 256 overflow bug).
  if (!entry.p2pml_decoded_ok) entry.p2pml_decoded = decoded;
  if (options.note) entry.note = options.note;
  commands.push(entry);
}
// p2pml's decoded object vs. its input: arrays come back grouped, `b: 0` is dropped.
function normalize(c) {
  const out = { c: c.c };
  for (const k of ["i", "r", "s"]) if (c[k] !== undefined) out[k] = c[k];
  if (c.b) out.b = c.b;
  for (const k of ["l", "p"]) if (c[k]?.length) out[k] = regroup(c[k]);
  return out;
}
function regroup(list) {
  const groups = new Map();
  for (const v of list) {
    const base = BigInt(v) & ~0xffn;
    if (!groups.has(base)) groups.set(base, []);
    groups.get(base).push(v);
  }
  return [...groups.values()].flat();
}

// SegmentsAnnouncement
cmd("announcement empty", { c: 0 });
cmd("announcement capture a", { c: 0, l: [0, 1, 2, 3] });
cmd("announcement capture b", { c: 0, l: [0, 1, 2, 3, 4], p: [5] });
cmd("announcement capture c unsorted", { c: 0, l: [0, 1, 2, 3, 4, 5, 6, 8, 10, 7], p: [11, 9] });
cmd("announcement multi-group", { c: 0, l: [1000, 1001, 1002, 1300, 1003], p: [1301] });
cmd("announcement only p", { c: 0, p: [3] });
cmd("announcement duplicates", { c: 0, l: [5, 5, 5, 300, 5] });
cmd("announcement negatives", { c: 0, l: [-1, -2, -256, -257, 0, 255], p: [-1000000] });
cmd("announcement large ids", { c: 0, l: [2 ** 31, 2 ** 31 + 1, 2 ** 40, 2 ** 53 - 1], p: [2 ** 32] });
cmd("announcement live window across a group boundary", { c: 0, l: range(65530, 65545), p: [65545, 65546] });
cmd("announcement 255-member group", { c: 0, l: range(0, 255) });
cmd("announcement 255-member group at base 256", { c: 0, l: range(256, 511), p: [511] });
cmd("announcement 255 + 255 members", { c: 0, l: [...range(0, 255), ...range(256, 511)] });
cmd("announcement 256-member group (p2pml writes count 0)", { c: 0, l: range(0, 256) }, {
  note: "p2pml bug: n = 256 & 0xff = 0; tubeswarm reads 0 as 256 and writes 255 + 1",
});
cmd("announcement 256-member group then more", { c: 0, l: [...range(0, 256), 1000], p: [7] }, {
  note: "p2pml bug: count 0; p2pml's own reader fails",
});
cmd("announcement 257 ids", { c: 0, l: range(0, 257) }, { note: "p2pml bug: first group count 0" });
cmd("announcement 255 groups", { c: 0, l: range(0, 255).map((g) => g * 256 + 1) });
cmd("announcement 256 groups (p2pml writes group count 0)", { c: 0, l: range(0, 256).map((g) => g * 256 + 1) }, {
  note: "p2pml bug: G = 256 wraps to 0",
});
for (const max of [9, 10, 16, 20, 64, 100, 1000]) {
  cmd(`announcement split at M=${max}`, { c: 0, l: range(0, 200), p: [300, 301, 302] }, { max });
}
cmd("announcement split at M=32, unsorted ids", { c: 0, l: [70000, 3, 2, 1, 900, 901, 65536, 4], p: [5] }, { max: 32 });
cmd("announcement split at M=300", { c: 0, l_ranges: [[0, 255], [256, 400]], p: range(1000, 1010) }, { max: 300 });
cmd(
  "announcement of 255 x 255 ids at M=65535 (2 messages)",
  { c: 0, l_ranges: range(0, 255).map((g) => [g * 256, g * 256 + 255]) },
  { big: true },
);
cmd(
  "announcement of 2 x 255 x 255 ids at M=65535 (3 messages)",
  {
    c: 0,
    l_ranges: range(0, 255).map((g) => [g * 256, g * 256 + 255]),
    p_ranges: range(0, 255).map((g) => [(g + 1000) * 256, (g + 1000) * 256 + 255]),
  },
  { big: true },
);

// SegmentRequest
cmd("request capture d", { c: 1, i: 4, r: 467 });
cmd("request 1-byte request id", { c: 1, i: 22, r: 9 });
cmd("request resume", { c: 1, i: 1, r: 2, b: 100000 });
cmd("request resume capture", { c: 1, i: 42, r: 216, b: 131070 });
cmd("request zeros", { c: 1, i: 0, r: 0 });
cmd("request b = 0 is not sent", { c: 1, i: 1, r: 1, b: 0 });
cmd("request negatives", { c: 1, i: -1, r: -999, b: -5 });
cmd("request large", { c: 1, i: 2 ** 53 - 1, r: 999, b: 2 ** 40 });
cmd("request id 127/128 boundary", { c: 1, i: 127, r: 128, b: 255 });
cmd("request id 32767/32768", { c: 1, i: 32767, r: 32768, b: 8388608 });
// SegmentData
cmd("data capture e", { c: 2, i: 4, s: 658467, r: 467 });
cmd("data zeros", { c: 2, i: 0, s: 0, r: 0 });
cmd("data large", { c: 2, i: 2 ** 33, s: 2 ** 32, r: 1 });
cmd("data negative", { c: 2, i: -7, s: -1, r: -128 });
cmd("data split at M=10", { c: 2, i: 4, s: 658467, r: 467 }, { max: 10 });
cmd("data split at M=16", { c: 2, i: 4, s: 658467, r: 467 }, { max: 16 });
// Completed, Absent, Cancel
cmd("completed capture f", { c: 3, i: 4, r: 467 });
cmd("completed large", { c: 3, i: 2 ** 50, r: 0 });
cmd("absent supplement", { c: 4, i: 44, r: 3 });
cmd("absent negative", { c: 4, i: -2147483648, r: -1 });
cmd("cancel supplement", { c: 5, i: 2, r: 5 });
cmd("cancel 2-byte request id", { c: 5, i: 42, r: 314 });
cmd("cancel large", { c: 5, i: 2 ** 53 - 1, r: 2 ** 31 - 1 });

// ------------------------------------------- bodies run through p2pml's reader
// Encodings tubeswarm writes where p2pml's writer cannot (256-member groups), and
// reordered / extended bodies; p2pml's reader decides what they mean.
const readerCases = [];
const int = (v) => [...Serialization.serializeInt(BigInt(v))];
function reader(name, bytes, note) {
  const body = Uint8Array.from(bytes);
  readerCases.push({ name, body_hex: hex(body), p2pml_decoded: p2pmlDecodeBody(body), ...(note ? { note } : {}) });
}
// tubeswarm's split of a full block: 255 members + 1 member, same base.
reader(
  "ids 0..=255 as 255 + 1 with the same base (tubeswarm's encoding)",
  [0, 0x6c, 0x10, 2, ...int(0 | 255), ...range(0, 255), ...int(0 | 1), 255],
);
reader(
  "ids 512..=767 then 1000 as 255 + 1 + 1 groups (tubeswarm's encoding)",
  [0, 0x6c, 0x10, 3, ...int(512 | 255), ...range(0, 255), ...int(512 | 1), 255, ...int(768 | 1), 1000 & 0xff],
);
reader("fields in reverse order", [2, 0x72, ...int(467), 0x73, ...int(658467), 0x69, ...int(4)]);
reader("unknown Int field", [3, 0x7a, ...int(5), 0x69, ...int(4), 0x72, ...int(9)]);
reader("unknown array field", [4, 0x71, 0x10, 1, ...int(1), 9, 0x69, ...int(4), 0x72, ...int(9)]);
reader("unknown String field", [5, 0x6e, 0x20, 2, 0x68, 0x69, 0x69, ...int(4), 0x72, ...int(9)]);
reader("repeated field: last wins", [3, 0x69, ...int(1), 0x72, ...int(2), 0x69, ...int(7)]);
reader("unknown command code", [9, 0x69, ...int(1)]);
reader("Int with 3 bytes for a small value", [1, 0x69, 0x03, 0, 0, 5, 0x72, ...int(1)]);
reader("negative zero", [1, 0x69, 0x01, 0x80, 0x72, ...int(1)]);
reader("value type 3", [1, 0x69, 0x30, 0x01]);

// --------------------------------------------------------------- stream ids
const streamIds = [];
function sid(name, props) {
  streamIds.push({ name, input: props, index: Stream.generateStreamShortId(props) });
}
sid("capture level", { bitrate: 1400000, codecs: "avc1.64001e", width: 854, height: 480 });
sid("bitrate 0", { bitrate: 0 });
sid("audio English", { bitrate: 0, codecs: "mp4a.40.2", language: "en", channels: "2", name: "English" });
sid("audio und 6/JOC", { bitrate: 0, codecs: "mp4a.40.2", language: "und", channels: "6/JOC", name: " Audio " });
sid("avc1 decimal", { bitrate: 2500000, codecs: "avc1.66.30", width: 1280, height: 720, frameRate: "29.970", videoRange: "sdr" });
sid("mixed codecs", { bitrate: 2500000, codecs: "mp4a.40.2, AVC1.4D401F", width: 1280, height: 720, frameRate: "30.000" });
sid("avc1 leading zeros", { bitrate: 2500000, codecs: "avc1.077.030", width: 1280, height: 720 });
sid("avc decimal", { bitrate: 1, codecs: "avc.100.40" });
sid("avc1 level over 255", { bitrate: 1, codecs: "avc1.7.300" });
sid("avc1 plus sign", { bitrate: 1, codecs: "avc1.+66.30" });
sid("hevc and avc sorted", { bitrate: 3000000, codecs: "hvc1.1.6.L93.B0,avc1.64001f", width: 1920, height: 1080, frameRate: "59.940", videoRange: " pq " });
sid("frame rate 23.976", { bitrate: 800000, codecs: "avc1.4d401e", width: 640, height: 360, frameRate: "23.976" });
sid("frame rate exponent", { bitrate: 800000, frameRate: "1e2" });
sid("frame rate hex", { bitrate: 800000, frameRate: "0x1E" });
sid("frame rate spaces", { bitrate: 800000, frameRate: " 30 " });
sid("frame rate garbage", { bitrate: 800000, frameRate: "abc" });
sid("frame rate tiny", { bitrate: 800000, frameRate: "0.0000001" });
sid("language upper", { bitrate: 0, codecs: "mp4a.40.2", language: "ENG" });
sid("language region", { bitrate: 0, codecs: "opus", language: "pt-BR", channels: "2", name: "Português" });
sid("non-ascii name", { bitrate: 0, codecs: "mp4a.40.5", language: "ja", name: " 日本語 Ünïcode " });
sid("peertube 720p", { bitrate: 1872000, codecs: "avc1.64001f", width: 1280, height: 720, frameRate: "30" });
sid("peertube audio-only level", { bitrate: 128000, codecs: "mp4a.40.2" });

// -------------------------------------------------------------- info hashes
const infoHashes = [];
const swarmCases = [
  ["http://127.0.0.1:8090/media/master.m3u8", "main", "9gC9pOfKi0GReXkgGMxbH75GMTg="],
  ["https://peertube.example/static/streaming-playlists/hls/3f8c/3f8c-master.m3u8", "main", streamIds[20].index],
  ["https://peertube.example/static/streaming-playlists/hls/3f8c/3f8c-master.m3u8", "secondary", streamIds[2].index],
  ["https://x.example/é/日本/🎉/master.m3u8", "main", "0"],
  ["", "main", "0"],
];
for (const [swarmId, type, index] of swarmCases) {
  const streamSwarmId = Stream.getStreamSwarmId(swarmId, { type, index });
  infoHashes.push({ swarm_id: swarmId, type, index, stream_swarm_id: streamSwarmId, info_hash: Peer.getStreamHash(streamSwarmId) });
}

let infoHashes22;
if (pkg22) {
  const Peer22 = await lib(pkg22, "utils/peer.js");
  const Stream22 = await lib(pkg22, "utils/stream.js");
  const { PACKAGE_VERSION: v22 } = await lib(pkg22, "utils/version.js");
  infoHashes22 = { package: `p2p-media-loader-core@${v22}`, cases: [] };
  const cases22 = [
    ["https://peertube.example/static/streaming-playlists/hls/3f8c/3f8c-master.m3u8", "main", 0],
    ["https://peertube.example/static/streaming-playlists/hls/3f8c/3f8c-master.m3u8", "main", 3],
    ["https://peertube.example/static/streaming-playlists/hls/3f8c/3f8c-master.m3u8", "secondary", 0],
    ["http://127.0.0.1:8090/media/master.m3u8", "main", 0],
    ["https://x.example/é/日本/🎉/master.m3u8", "main", 12],
  ];
  for (const [swarmId, type, index] of cases22) {
    const streamSwarmId = Stream22.getStreamSwarmId(swarmId, { type, index });
    const infoHash = Peer22.getStreamHash(streamSwarmId);
    const nodeMd5 = createHash("md5").update(streamSwarmId, "utf8").digest().subarray(1).toString("base64");
    if (infoHash !== nodeMd5) throw new Error(`2.2 hash differs from md5[1..16] for ${streamSwarmId}`);
    infoHashes22.cases.push({ swarm_id: swarmId, type, index, stream_swarm_id: streamSwarmId, info_hash: infoHash });
  }
}

const out = {
  about:
    "Byte-exact vectors produced by p2p-media-loader-core's own code (lib/ ES modules of the npm tarball), by tests/vectors/p2pml-vectors.mjs. " +
    "commands[]: input command (p2pml's object form; l_ranges/p_ranges = concatenated [from, to) ranges), max message size, the messages " +
    "serializePeerCommand returned (hex, or lengths + SHA-256 when large), and what p2pml's own joiner + reader made of them " +
    "(p2pml_decoded_ok: equal to the input after p2pml's grouping). reader_cases[]: bodies run through p2pml's deserializeCommand. " +
    "stream_ids[]: generateStreamShortId(input). info_hashes[]: getStreamSwarmId + getStreamHash. info_hashes_2_2: the same with the 2.2 package.",
  package: `p2p-media-loader-core@${PACKAGE_VERSION}`,
  node: process.version,
  commands,
  reader_cases: readerCases,
  stream_ids: streamIds,
  info_hashes: infoHashes,
  ...(infoHashes22 ? { info_hashes_2_2: infoHashes22 } : {}),
};
const target = join(dirname(fileURLToPath(import.meta.url)), "p2pml-2.3.1.json");
// One line per case keeps the file small and its diffs readable.
const lines = ["{"];
const keys = Object.keys(out);
keys.forEach((key, k) => {
  const comma = k + 1 < keys.length ? "," : "";
  const value = out[key];
  if (Array.isArray(value) || (value && Array.isArray(value.cases))) {
    const list = Array.isArray(value) ? value : value.cases;
    const head = Array.isArray(value) ? "" : `"package": ${JSON.stringify(value.package)}, "cases": `;
    lines.push(`${JSON.stringify(key)}: ${Array.isArray(value) ? "" : "{"}${head}[`);
    list.forEach((item, i) => lines.push(JSON.stringify(item) + (i + 1 < list.length ? "," : "")));
    lines.push(`]${Array.isArray(value) ? "" : "}"}${comma}`);
  } else {
    lines.push(`${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
  }
});
lines.push("}");
writeFileSync(target, lines.join("\n") + "\n");
console.log(`wrote ${target}: ${commands.length} commands, ${readerCases.length} reader cases, ${streamIds.length} stream ids, ${infoHashes.length} + ${infoHashes22?.cases.length ?? 0} info hashes`);
