/**
 * `npm run agent`: the 证书助手 on this PC. Settings (docs/agent.md): CERTDESK_AGENT_ORIGIN (required),
 * CERTDESK_AGENT_HOST (loopback only), CERTDESK_AGENT_PORT (17443), CERTDESK_AGENT_PKCS11_MODULE,
 * CERTDESK_AGENT_PIN_TRIES, CERTDESK_AGENT_SM2_*. Prints a pairing code; Enter prints a new one.
 */
import { createInterface } from 'node:readline';
import { AgentConfigError, agentConfigFrom } from './config.js';
import { Pairing } from './pairing.js';
import { ConsolePinSource } from './pin-source.js';
import { buildAgentServer } from './server.js';
import { TokenDriver } from './token.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const config = agentConfigFrom(process.env);
  const tokens = TokenDriver.load(config.pkcs11Module, { pinTries: config.pinTries, sm2: config.sm2 });
  const pairing = new Pairing();
  const pins = new ConsolePinSource();
  const app = buildAgentServer({ config, tokens, pins, pairing, log: (l) => say(`[证书助手] ${l}`) });
  await app.listen({ host: config.host, port: config.port });
  const showCode = () => say(`\n[证书助手] 配对码：${pairing.newCode()}（2 分钟内有效，仅可使用一次；回车获取新的配对码）`);
  say(`[证书助手] 已启动：http://${config.host}:${config.port}，只接受 ${config.origin} 的请求；PKCS#11 模块 ${config.pkcs11Module}`);
  showCode();
  // While a PIN prompt owns the console, its own reader takes the line; otherwise Enter asks for a new code.
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!pins.busy && line.trim() === '') showCode();
  });
  const stop = async () => {
    rl.close();
    await app.close();
    tokens.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`[证书助手] ${e instanceof AgentConfigError ? `配置错误：${e.message}` : String((e as Error)?.stack ?? e)}\n`);
  process.exit(1);
});
