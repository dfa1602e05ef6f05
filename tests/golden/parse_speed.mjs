// Parse throughput of marp-core on one deck, for bench/bench_parse.py:
//   node parse_speed.mjs DECK.md SECONDS  ->  {"slides": N, "runs": R, "seconds": S}
// Times marp-core's markdown parse (Marpit's slide split, directives, comments, images,
// fragments); the HTML/CSS rendering is left out, as diapo's parser does not render.
import { Marp } from '@marp-team/marp-core'
import { readFileSync } from 'node:fs'

const [deck, budget = '2'] = process.argv.slice(2)
const markdown = readFileSync(deck, 'utf8')
const marp = new Marp()
const slidesOf = () => marp.markdown.parse(markdown, {}).filter((t) => t.type === 'marpit_slide_open').length
const slides = slidesOf() // warm-up
let runs = 0
const start = process.hrtime.bigint()
let elapsed = 0
while (elapsed < Number(budget) || runs < 3) {
  slidesOf()
  runs += 1
  elapsed = Number(process.hrtime.bigint() - start) / 1e9
}
console.log(JSON.stringify({ slides, runs, seconds: elapsed }))
