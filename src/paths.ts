import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (the folder holding package.json), found by walking up from this file.
 * The same answer whether the code runs from `src/` (tests) or from `dist/src/` (built),
 * so data folders such as `faq/` and `templates/` are read from one place.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('kefu: cannot find the package root (package.json beside templates/)');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();

/** A path inside the package, e.g. `fromRoot('faq', 'demo.zh.json')`. */
export const fromRoot = (...parts: string[]): string => join(packageRoot, ...parts);
