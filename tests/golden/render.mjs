// Render the fixture decks with marp-core and store what Marp computed, per slide, as golden
// JSON (tests/golden/expected/<name>.json). Node is only needed to regenerate these files:
//   cd tests/golden && npm ci && node render.mjs
// Like marp-cli, the metadata directives (title, description, author, keywords, image, url)
// and the VS Code `marp` switch are registered as global directives, and the themes the
// fixtures name are registered as copies of the default theme. Maths are on, as in marp-cli
// (marp-core 5 has them as a plugin: `katex`).
import { Marp } from '@marp-team/marp-core'
import katexPlugin from '@marp-team/marp-core/plugins/katex'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures')
const expected = join(here, 'expected')
const THEMES = ['marp-ensg', 'cours']
const METADATA = ['title', 'description', 'author', 'keywords', 'image', 'url', 'marp']

const entities = { '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#39;': "'", '&#x27;': "'" }
const unescape = (s) => s.replace(/&(quot|amp|lt|gt|#39|#x27);/g, (m) => entities[m])

function engine() {
  const marp = new Marp({ html: true }).use(katexPlugin())
  for (const name of THEMES) marp.themeSet.add(`/* @theme ${name} */\n@import 'default';`)
  for (const key of METADATA) marp.customDirectives.global[key] = (v) => ({ [key]: v })
  return marp
}

// The attributes of every content <section> (advanced-background layers are not slides).
function sections(html) {
  const out = []
  for (const m of html.matchAll(/<section\b([^>]*)>/g)) {
    const attrs = {}
    for (const a of m[1].matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)) {
      attrs[a[1]] = a[2] === undefined ? '' : unescape(a[2])
    }
    const layer = attrs['data-marpit-advanced-background']
    if (layer && layer !== 'content') continue
    const kept = {}
    for (const [k, v] of Object.entries(attrs)) {
      if (k.startsWith('data-') && k !== 'data-marpit-advanced-background') kept[k] = v
    }
    out.push(kept)
  }
  return out
}

// Per slide, the Marp image options markdown-it tokens carry after Marpit's image plugins.
function images(marp, markdown) {
  const tokens = marp.markdown.parse(markdown, {})
  const slides = []
  let current = null
  const visit = (token) => {
    if (token.type === 'image' && token.meta && token.meta.marpitImage) {
      const img = token.meta.marpitImage
      current.push({
        src: img.url,
        background: !!img.background,
        width: img.width ?? null,
        height: img.height ?? null,
        size: img.backgroundSize ?? img.size ?? null,
        split: img.backgroundSplit ?? null,
        split_size: img.backgroundSplitSize ?? null,
        vertical: img.backgroundDirection === 'vertical',
        filters: Object.fromEntries((img.filters || []).map(([k, v]) => [k, v])),
        alt: img.options.filter((o) => !o.consumed).map((o) => o.content).join(' '),
      })
    }
    for (const child of token.children || []) visit(child)
  }
  for (const token of tokens) {
    if (token.type === 'marpit_slide_open') {
      current = []
      slides.push(current)
    } else if (current) visit(token)
  }
  return slides
}

// Per slide, the DOM marp-core renders that the presentation view reproduces: the advanced
// background layer (direction, split, each figure's style), the content section's style and
// split, inline images' styles and the fitting headings.
function dom(html) {
  const slides = []
  for (const svg of html.matchAll(/<svg data-marpit-svg[^>]*>(.*?)<\/svg>/gs)) {
    const body = svg[1]
    const attr = (tag, name) => {
      const m = tag && tag.match(new RegExp(`\\s${name}="([^"]*)"`))
      return m ? unescape(m[1]) : null
    }
    const layer = body.match(/<section[^>]*data-marpit-advanced-background="background"[^>]*>(.*?)<\/section>/s)
    const container = layer && layer[1].match(/<div data-marpit-advanced-background-container[^>]*>/)
    const content = body.match(/<section\b(?![^>]*data-marpit-advanced-background="(?:background|pseudo)")[^>]*>/)[0]
    const inner = body.slice(body.indexOf(content))
    slides.push({
      background: layer ? {
        direction: attr(container && container[0], 'data-marpit-advanced-background-direction'),
        split: attr(layer[0], 'data-marpit-advanced-background-split'),
        figures: [...layer[1].matchAll(/<figure style="([^"]*)"/g)].map((f) => unescape(f[1])),
      } : null,
      style: attr(content, 'style'),
      images: [...inner.split(/<\/section>/)[0].matchAll(/<img (?![^>]*data-marp-twemoji)[^>]*?style="([^"]*)"/g)].map((m) => unescape(m[1])),
      fit: [...inner.matchAll(/<h([1-6])[^>]*data-auto-scaling/g)].length,
      emoji: [...inner.matchAll(/<img[^>]*alt="([^"]*)"[^>]*data-marp-twemoji/g)].map((m) => m[1]),
    })
  }
  return slides
}

const files = readdirSync(fixtures).filter((f) => f.endsWith('.md')).sort()
for (const file of files) {
  const markdown = readFileSync(join(fixtures, file), 'utf8')
  const marp = engine()
  const { html, comments } = marp.render(markdown)
  const attrs = sections(html)
  const imgs = images(engine(), markdown)
  const rendered = dom(engine().render(markdown, { htmlAsArray: false }).html)
  const result = {
    generator: `@marp-team/marp-core ${JSON.parse(readFileSync(join(here, 'node_modules/@marp-team/marp-core/package.json'), 'utf8')).version}`,
    count: attrs.length,
    slides: attrs.map((a, i) => ({ attributes: a, notes: comments[i] || [], images: imgs[i] || [], dom: rendered[i] })),
  }
  writeFileSync(join(expected, basename(file, '.md') + '.json'), JSON.stringify(result, null, 2) + '\n')
  console.log(`${file}: ${attrs.length} slides`)
}
