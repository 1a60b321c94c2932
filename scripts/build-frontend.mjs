// Copies the pinned front-end packages from node_modules into the app's static folder, so the app serves them itself
// (WhiteNoise) and nothing is loaded from a CDN. Run by `make frontend` after `npm ci`.
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/lintas/core/static/vendor");
const files = [
  ["node_modules/bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["node_modules/bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["node_modules/bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["node_modules/bootstrap/LICENSE", "bootstrap/LICENSE"],
  ["node_modules/bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["node_modules/bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
  ["node_modules/bootstrap-icons/LICENSE", "bootstrap-icons/LICENSE"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["node_modules/htmx.org/LICENSE", "htmx/LICENSE"],
  ["node_modules/chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js"],
  ["node_modules/chart.js/LICENSE.md", "chartjs/LICENSE.md"],
];
rmSync(out, { recursive: true, force: true });
const versions = {};
for (const [src, dest] of files) {
  const target = join(out, dest);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, src), target, { recursive: true });
}
for (const pkg of ["bootstrap", "bootstrap-icons", "htmx.org", "chart.js"]) {
  versions[pkg] = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"))).version;
}
writeFileSync(join(out, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log("front-end built into", out, versions);
