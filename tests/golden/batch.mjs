// Render a JSON list of decks with marp-core; print, per deck, the data-* attributes of its
// slides and its notes (used by fuzz_marp.py). Maths on, as in marp-cli (render.mjs).
import { Marp } from '@marp-team/marp-core'
import katexPlugin from '@marp-team/marp-core/plugins/katex'
import { readFileSync } from 'node:fs'
const THEMES = ['marp-ensg', 'cours']
const METADATA = ['title', 'description', 'author', 'keywords', 'image', 'url', 'marp']
const entities = { '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#39;': "'", '&#x27;': "'" }
const unescape = (s) => s.replace(/&(quot|amp|lt|gt|#39|#x27);/g, (m) => entities[m])
const decks = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const out = []
for (const md of decks) {
  const marp = new Marp().use(katexPlugin())
  for (const name of THEMES) marp.themeSet.add(`/* @theme ${name} */\n@import 'default';`)
  for (const key of METADATA) marp.customDirectives.global[key] = (v) => ({ [key]: v })
  const { html, comments } = marp.render(md)
  const secs = []
  for (const m of html.matchAll(/<section\b([^>]*)>/g)) {
    const attrs = {}
    for (const a of m[1].matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)) attrs[a[1]] = a[2] === undefined ? '' : unescape(a[2])
    const layer = attrs['data-marpit-advanced-background']
    if (layer && layer !== 'content') continue
    const kept = {}
    for (const [k, v] of Object.entries(attrs)) if (k.startsWith('data-') && !k.startsWith('data-marpit-advanced-background') && !k.startsWith('data-marpit-scope')) kept[k] = v
    secs.push(kept)
  }
  out.push({ secs, comments })
}
console.log(JSON.stringify(out))
