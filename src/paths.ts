/** Locations inside the Flint package itself (not the data dir). */
import { fileURLToPath } from "node:url";

/** `runtimes/`: the self-contained bootstraps that run inside environments. */
export const RUNTIMES_DIR = fileURLToPath(new URL("../../runtimes", import.meta.url));
