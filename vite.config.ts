import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';
import { constants } from 'node:zlib';
import path from 'node:path';
import { chunkNamer } from './scripts/web-chunks.js';
import { BROWSER_TARGETS } from './src/core/content/browsers.js';

export default defineConfig({
  root: 'src/web',
  plugins: [
    react(),
    // .br and .gz beside every text file of the build, at the strongest settings (made once, served many
    // times); the server's @fastify/static picks one by Accept-Encoding (src/server/plugins/web-app.ts).
    compression({
      include: /\.(?:html|js|mjs|css|svg|json)$/,
      threshold: 1024,
      skipIfLargerOrEqual: true,
      algorithms: [
        defineAlgorithm('brotliCompress', { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        defineAlgorithm('gzip', { level: 9 }),
      ],
    }),
  ],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // The supported browsers (src/core/content/browsers.ts): what the help pages promise is what is built.
    target: BROWSER_TARGETS,
    cssTarget: BROWSER_TARGETS,
    // .vite/manifest.json: which chunk holds which source file (the browser test checks what a page loads).
    manifest: true,
    rolldownOptions: {
      treeshake: { moduleSideEffects: (id: string) => (/[\\/]node_modules[\\/]@rc-component[\\/]/.test(id) ? false : undefined) },
      output: {
        codeSplitting: {
          groups: [{ name: chunkNamer(path.resolve(import.meta.dirname, 'src/web/main.tsx')), includeDependenciesRecursively: false }],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/sandbox': 'http://localhost:3000' } },
});
