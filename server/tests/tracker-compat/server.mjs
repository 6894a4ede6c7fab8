// Runs the reference tracker, bittorrent-tracker's own server (WebSocket only,
// the setup PeerTube uses), on 127.0.0.1 with a free port, for the compat test in
// ../tracker.rs. Prints `ws://127.0.0.1:PORT/` once listening; stops when stdin
// closes (so it never outlives the test that started it).
//
//   node server.mjs /path/to/node_modules   (a folder holding bittorrent-tracker)
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const modules = process.argv[2]
if (!modules) {
  console.error('usage: node server.mjs NODE_MODULES_DIR')
  process.exit(2)
}
// server.js only: index.js also loads the client, whose native module may be missing.
const url = pathToFileURL(join(modules, 'bittorrent-tracker', 'server.js')).href
const { default: Server } = await import(url)

const server = new Server({ http: false, udp: false, ws: true, stats: false })
server.on('error', err => { console.error(`error: ${err.message}`); process.exit(1) })
server.on('warning', () => {}) // bad client messages are expected here
server.listen(0, '127.0.0.1', () => {
  console.log(`ws://127.0.0.1:${server.http.address().port}/`)
})
process.stdin.on('end', () => server.close(() => process.exit(0)))
process.stdin.resume()
