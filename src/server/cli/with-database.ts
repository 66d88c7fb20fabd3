/**
 * What every command that works on the database does around its work: load the configuration (a wrong
 * setting is exit code 2 with its message, as a wrong flag is), open the configured database (PGlite under
 * the data directory, or DATABASE_URL), and close it afterwards whatever happens.
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { Db } from '../db/client.js';
import { openConfiguredDb } from '../runtime.js';

export async function withConfiguredDb(work: (ctx: { config: Config; db: Db }) => Promise<number>): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`配置有误：${e.message}`);
      return 2;
    }
    throw e;
  }
  const handle = await openConfiguredDb(config);
  try {
    return await work({ config, db: handle.db });
  } finally {
    await handle.close();
  }
}
