import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';
import { constants } from 'node:zlib';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Plugin } from 'vite';
import { chunkNamer } from './scripts/web-chunks.js';
import { BROWSER_TARGETS } from './src/core/content/browsers.js';

/**
 * After the build: antd's CSS for each page, written ahead of time (scripts/antd-styles.ts). Its own Node process,
 * with NODE_ENV=production as the bundle has, so antd names its CSS as it does in the browser.
 */
function antdStyles(): Plugin {
  let outDir = '';
  return {
    name: 'certdesk-antd-styles',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      sequential: true,
      order: 'post',
      handler: () =>
        new Promise<void>((resolve, reject) => {
          const script = path.resolve(import.meta.dirname, 'scripts/antd-styles.ts');
          const child = spawn(process.execPath, ['--import', 'tsx', script, outDir], {
            env: { ...process.env, NODE_ENV: 'production' },
            stdio: 'inherit',
          });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/antd-styles.ts exited with ${code}`))));
        }),
    },
  };
}

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
    antdStyles(),
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
