// Runs the ERP, WMS and QMS simulators standalone: node dist/sim/cli.js [erp] [wms] [qms]
import { startErpSim, startQmsSim, startWmsSim } from './index';

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const want = (n: string) => !names.length || names.includes(n);
  const host = process.env.MFG_SIM_HOST || '127.0.0.1';
  const running: Array<{ name: string; url: string; close: () => Promise<void> }> = [];
  if (want('erp')) running.push({ name: 'ERP', ...(await startErpSim({ host })) });
  if (want('wms')) running.push({ name: 'WMS', ...(await startWmsSim({ host })) });
  if (want('qms')) running.push({ name: 'QMS', ...(await startQmsSim({ host })) });
  for (const r of running) console.log(`${r.name} simulator on ${r.url}`);
  const stop = async () => {
    await Promise.all(running.map((r) => r.close()));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
