/** `flint serve`: start everything in this process and print how to use it. */
import type { FlintConfig } from "../config/config.js";
import { startFlint } from "../main.js";
import { recordServer } from "./running-servers.js";

export async function serve(config: FlintConfig): Promise<number> {
  const flint = await startFlint(config);
  const lines = [
    `Flint listening on ${flint.endpoint}`,
    `  data dir   ${config.dataDir}`,
    `  region     ${config.region}   account ${config.accountId}`,
    `  isolation  ${flint.driver.isolation} (driver: ${flint.driver.name}): ${flint.driver.reason}`,
    `  cgroups    ${flint.driver.limits.layout}; enforced: ${flint.driver.limits.enforced.join(", ") || "none"}`,
  ];
  if (flint.driver.isolation === "partial") {
    for (const m of flint.driver.limits.missing) lines.push(`  WARNING: ${m.limit} is not enforced: ${m.why}`);
  }
  if (flint.driver.isolation === "none") {
    lines.push("  WARNING: functions run as plain processes with the server's privileges; they are NOT isolated from the host.");
  }
  if (flint.generatedCredentials) {
    lines.push(
      `  Generated root credentials (kept in ${flint.credentialsFile ?? "the shared store"}):`,
      `    export AWS_ACCESS_KEY_ID=${flint.credentials.accessKeyId}`,
      `    export AWS_SECRET_ACCESS_KEY=${flint.credentials.secretAccessKey}`,
    );
  } else if (flint.credentialsFile) {
    lines.push(`  credentials ${flint.credentialsFile} (access key ${flint.credentials.accessKeyId})`);
  }
  // Found by `flint logs` and `flint events` run from any directory.
  const forget = await recordServer(config.serversDir, { endpoint: flint.endpoint, dataDir: config.dataDir }).catch((err: Error) => {
    lines.push(`  WARNING: cannot record this server in ${config.serversDir} (flint logs elsewhere needs --data-dir): ${err.message}`);
    return async () => {};
  });
  lines.push(`  try: aws lambda list-functions --endpoint-url ${flint.endpoint} --region ${config.region}`);
  process.stdout.write(lines.join("\n") + "\n");

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stdout.write("Flint shutting down\n");
  await forget();
  await flint.close();
  return 0;
}
