// Builds palabre/static/widget.js: one minified script with its CSS and both catalogues inside.
// `node build.mjs` writes it; `node build.mjs --check` fails when the shipped file differs.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const OUTFILE = here('../palabre/static/widget.js');

/** CSS comes in as a minified string; catalogues lose the keys only the server uses
 * (feed.*, server.*). */
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
      const kept = Object.entries(messages).filter(
        ([key]) => !key.startsWith('feed.') && !key.startsWith('server.'));
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
  console.log('palabre/static/widget.js matches its sources.');
} else {
  await writeFile(OUTFILE, code);
  console.log(`wrote palabre/static/widget.js (${code.length} bytes)`);
}
