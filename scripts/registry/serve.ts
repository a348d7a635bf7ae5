/**
 * The test registries as a process of their own, for drivers that are not TypeScript
 * (scripts/e2e/exthost.mjs): starts them (open, Basic over TLS, token), pushes the test
 * images, prints ONE line of JSON on stdout, then keeps them running until stdin closes or
 * a SIGTERM arrives.
 *
 *   node --import tsx scripts/registry/serve.ts
 *   → {"open":"127.0.0.1:PORT","single":{"repository":"team/app","tag":"1.0","digest":"sha256:…"},"multi":{…}}
 */
import { startTestRegistries } from './testRegistries';

async function main(): Promise<void> {
  const registries = await startTestRegistries();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await registries.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  const { single, multi } = registries.content;
  process.stdout.write(`${JSON.stringify({ open: registries.open.host, single, multi })}\n`);
}

main().catch((error: unknown) => {
  console.error(`pullguard test registries: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
