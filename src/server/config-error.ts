/**
 * A setting that is missing or wrong: the process says which and stops (exit code 2). Its own module so the
 * configuration's parts (payments, the CA) can throw it without importing config.ts, which imports them.
 */
export class ConfigError extends Error {}
