/**
 * The file operations cgroups are driven through. Flint uses the real file system; the unit tests
 * use the same operations on a temporary directory with the kernel's rules for cgroup2 added
 * (test/harness/fake-cgroup2.ts), so every file the backend writes and reads is checked.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, readdir, rmdir } from "node:fs/promises";

export interface CgroupFs {
  read(file: string): string;
  /** Writes are synchronous: cgroupfs answers in microseconds, and freezing is on the invoke path. */
  write(file: string, value: string): void;
  exists(file: string): boolean;
  mkdir(dir: string): Promise<void>;
  rmdir(dir: string): Promise<void>;
  /** The names of the subdirectories (child groups) of `dir`. */
  children(dir: string): Promise<string[]>;
}

export const realCgroupFs: CgroupFs = {
  read: (file) => readFileSync(file, "latin1"),
  write: (file, value) => writeFileSync(file, value),
  exists: (file) => existsSync(file),
  mkdir: async (dir) => void (await mkdir(dir)),
  rmdir: (dir) => rmdir(dir),
  children: async (dir) => (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
};
