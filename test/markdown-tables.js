// Renders a Markdown file with markdown-it (GitHub-flavoured tables) and
// prints, as JSON, every table row: its source line (0-based) and, for
// each cell, the Markdown it was given and the HTML it became.
// Usage: node markdown-tables.js FILE
'use strict';

const fs = require('fs');
const MarkdownIt = require('markdown-it');

const md = new MarkdownIt();
const source = fs.readFileSync(process.argv[2], 'utf8');
const tokens = md.parse(source, {});
const rows = [];
let row = null;
for (const token of tokens) {
  if (token.type === 'tr_open') {
    row = { line: token.map[0], header: false, cells: [] };
    rows.push(row);
  } else if (token.type === 'th_open') {
    row.header = true;
  } else if (token.type === 'inline' && row) {
    const html = md.renderer.renderInline(token.children, md.options, {});
    row.cells.push({ markdown: token.content, html });
  } else if (token.type === 'tr_close') {
    row = null;
  }
}
process.stdout.write(JSON.stringify(rows));
