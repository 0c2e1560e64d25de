// Copies Swagger UI's prebuilt files (the npm package swagger-ui-dist, pinned in
// package.json and package-lock.json) into palabre/static/apidocs/, with its licence.
// `node build.mjs` writes them; `node build.mjs --check` fails when a shipped file differs.
// The source-map comments are dropped: the maps are not shipped, so nothing asks for them.
// The page's own bootstrap (palabre/static/apidocs/palabre-docs.js) is Palabre's, not copied.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const FROM = here('node_modules/swagger-ui-dist/');
const TO = here('../palabre/static/apidocs/');
const MAP = /\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/;

const files = {
  'swagger-ui-bundle.js': (text) => text.replace(MAP, '\n'),
  'swagger-ui.css': (text) => text.replace(MAP, '\n'),
  'LICENSE': (text) => text,
  'NOTICE': (text) => text,
  'swagger-ui-bundle.js.LICENSE.txt': (text) => text,
};

const check = process.argv.includes('--check');
const { version } = JSON.parse(await readFile(FROM + 'package.json', 'utf8'));
let stale = 0;
await mkdir(TO, { recursive: true });
for (const [name, transform] of Object.entries(files)) {
  const wanted = transform(await readFile(FROM + name, 'utf8'));
  if (check) {
    const shipped = await readFile(TO + name, 'utf8').catch(() => '');
    if (shipped !== wanted) {
      console.error(`palabre/static/apidocs/${name} differs from swagger-ui-dist ${version}`);
      stale += 1;
    }
  } else {
    await writeFile(TO + name, wanted);
    console.log(`wrote palabre/static/apidocs/${name} (${wanted.length} bytes)`);
  }
}
if (stale) {
  console.error('run `npm ci --ignore-scripts && npm run build` in apidocs/.');
  process.exit(1);
}
if (check) console.log(`palabre/static/apidocs/ matches swagger-ui-dist ${version}.`);
