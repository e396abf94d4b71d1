// Transpile-only TypeScript loader for the app `cdktf.json` runs: sucrase (which keeps line numbers, so stack
// traces point at the .ts lines), with an on-disk cache keyed by file, size, mtime and sucrase version, so an
// unchanged file is never transpiled twice. Type-checking is `npm test`'s and `npm run build`'s job.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const CACHE_DIR = path.join(__dirname, "..", "..", ".tooling", "transpile-cache");
const SUCRASE_VERSION = require("sucrase/package.json").version;
let transform;

function transpile(filename, stat) {
  const key = crypto.createHash("sha1").update([filename, stat.size, stat.mtimeMs, SUCRASE_VERSION].join("\0")).digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    transform ??= require("sucrase").transform;
    const { code } = transform(fs.readFileSync(filename, "utf8"), { transforms: ["typescript", "imports"], filePath: filename });
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      fs.writeFileSync(cached, code);
    } catch {
      // A read-only checkout still runs, only without the cache.
    }
    return code;
  }
}

require.extensions[".ts"] = (module, filename) => {
  module._compile(transpile(filename, fs.statSync(filename)), filename);
};
