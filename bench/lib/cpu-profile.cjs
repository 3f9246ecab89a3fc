// Preloaded (NODE_OPTIONS=--require …, which refuses --cpu-prof) into a benchmark's server: a V8
// CPU profile of the whole run, written on exit to $BENCH_CPU_PROFILE_DIR/<name>-<pid>.cpuprofile.
const inspector = require("node:inspector");
const fs = require("node:fs");
const path = require("node:path");
const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 100 });
  session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (err, res) => {
      if (!err) fs.writeFileSync(path.join(dir, `${process.env.BENCH_CPU_PROFILE_NAME ?? "node"}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
