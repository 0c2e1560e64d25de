// Builds palabre/static/widget.js: one minified script with its CSS and both catalogues inside.
// `node build.mjs` writes it and its precompressed copies (widget.js.gz, widget.js.br);
// `node build.mjs --check` fails when the shipped files differ from what the sources build.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const OUTFILE = here('../palabre/static/widget.js');

/** The copies the server sends to browsers that accept them (palabre/web/embed/pages.py). */
const COMPRESSED = [
  ['.gz', (data) => gzipSync(data, { level: 9 }), gunzipSync],
  ['.br', (data) => brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  }), brotliDecompressSync],
];

/** The `error.*` messages the widget finds out by itself; the others come from the server,
 * already in the reader's language (`error.message`), so the bundle does not carry them. */
const OWN_ERRORS = ['error.network', 'error.text_empty', 'error.internal_error'];

/** Whether the widget needs a catalogue's message: not those only the server shows. */
const shown = (key) =>
  !/^(feed|server)\./.test(key) && (!key.startsWith('error.') || OWN_ERRORS.includes(key));

/** CSS comes in as a minified string; catalogues keep only the keys the widget shows. */
const inline = {
  name: 'palabre-inline',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const css = await esbuild.transform(await readFile(path, 'utf8'), {
        loader: 'css',
        minify: true,
      });
      return { contents: css.code.trim(), loader: 'text' };
    });
    build.onLoad({ filter: /locales[\\/][a-z]+\.json$/ }, async ({ path }) => {
      const messages = JSON.parse(await readFile(path, 'utf8'));
      const kept = Object.entries(messages).filter(([key]) => shown(key));
      return { contents: JSON.stringify(Object.fromEntries(kept)), loader: 'json' };
    });
  },
};

const result = await esbuild.build({
  entryPoints: [here('src/index.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  legalComments: 'none',
  banner: { js: '/* Palabre widget, MIT licence. Built from widget/src by widget/build.mjs. */' },
  plugins: [inline],
  write: false,
  outfile: OUTFILE,
});
const code = result.outputFiles[0].text;

if (process.argv.includes('--check')) {
  const shipped = await readFile(OUTFILE, 'utf8').catch(() => '');
  if (shipped !== code) {
    console.error('palabre/static/widget.js differs from what widget/src builds: run `npm run build` in widget/.');
    process.exit(1);
  }
  // Compressors may differ between zlib versions: a copy is right when it gives the code back.
  for (const [suffix, , unpack] of COMPRESSED) {
    const packed = await readFile(OUTFILE + suffix).catch(() => null);
    let same = false;
    try {
      same = !!packed && unpack(packed).toString('utf8') === code;
    } catch {
      // not a valid compressed file: reported below
    }
    if (!same) {
      console.error(`palabre/static/widget.js${suffix} does not give back widget.js: run \`npm run build\` in widget/.`);
      process.exit(1);
    }
  }
  console.log('palabre/static/widget.js and its compressed copies match their sources.');
} else {
  const data = Buffer.from(code, 'utf8');
  await writeFile(OUTFILE, data);
  const sizes = [];
  for (const [suffix, pack] of COMPRESSED) {
    const packed = pack(data);
    await writeFile(OUTFILE + suffix, packed);
    sizes.push(`${suffix} ${packed.length}`);
  }
  console.log(`wrote palabre/static/widget.js (${code.length} bytes; ${sizes.join(', ')})`);
}
