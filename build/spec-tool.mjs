#!/usr/bin/env node
// Build helper for src/GpuCloud.Generated, called by build/NSwag.targets (and by hand for update-lock).
// Node is already required for the pinned NSwag toolchain, so this needs nothing else.
//
//   node build/spec-tool.mjs check       [--version X]   verify specs/specs.lock.json against the inputs
//   node build/spec-tool.mjs update-lock [--version X]   record the inputs' hashes for a bumped version
//   node build/spec-tool.mjs generate --spec S --class C --namespace N --exception E --out O --dotnet D
//
// Errors are printed in MSBuild's canonical format ("file : error CODE: text") so the build shows one
// clear line instead of a stack trace.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, existsSync, utimesSync } from 'node:fs';
import { dirname, join, relative, resolve, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'specs', 'specs.lock.json');
const versionPropsPath = join(root, 'build', 'GeneratedVersion.props');
const rel = (p) => relative(root, p).split('\\').join('/');

function fail(file, code, message) {
  console.error(`${file} : error ${code}: ${message}`);
  process.exit(1);
}

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) out[argv[i].slice(2)] = argv[i + 1] ?? '', i++;
  }
  return out;
}

// Hash text with normalized line endings, so a checkout with CRLF (core.autocrlf) matches the lock.
const hashFile = (path) =>
  createHash('sha256').update(readFileSync(path, 'utf8').replace(/\r\n/g, '\n')).digest('hex');

function currentVersion(given) {
  if (given) return given;
  const m = /<GpuCloudGeneratedVersion>([^<]+)<\/GpuCloudGeneratedVersion>/.exec(readFileSync(versionPropsPath, 'utf8'));
  if (!m) fail(rel(versionPropsPath), 'GCG004', 'no <GpuCloudGeneratedVersion> element found.');
  return m[1].trim();
}

// Every input that shapes the generated code: each spec, and the generator settings.
function inputs() {
  const specs = readdirSync(join(root, 'specs'))
    .filter((f) => /\.openapi\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => `specs/${f}`);
  return [...specs, 'nswag.json'];
}

function readLock() {
  if (!existsSync(lockPath)) return { generatedVersion: null, inputs: {} };
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8'));
  } catch (e) {
    fail(rel(lockPath), 'GCG004', `not valid JSON (${e.message}).`);
  }
}

function changedInputs(lock) {
  const now = Object.fromEntries(inputs().map((f) => [f, hashFile(join(root, f))]));
  const changed = Object.keys(now).filter((f) => lock.inputs?.[f] !== now[f]);
  const removed = Object.keys(lock.inputs ?? {}).filter((f) => !(f in now));
  return { now, changed: [...changed, ...removed] };
}

const bumpHelp = (version) =>
  `bump <GpuCloudGeneratedVersion> (now ${version}) in build/GeneratedVersion.props, ` +
  `then record the new hashes with: node build/spec-tool.mjs update-lock`;

function check(opts) {
  const version = currentVersion(opts.version);
  const lock = readLock();
  const { changed } = changedInputs(lock);
  if (lock.generatedVersion === version && changed.length > 0) {
    fail(changed[0], 'GCG001',
      `${changed.join(', ')} changed since GpuCloud.Generated ${version} was locked in specs/specs.lock.json; ${bumpHelp(version)}`);
  }
  if (lock.generatedVersion !== version) {
    fail(rel(lockPath), 'GCG003',
      `specs/specs.lock.json records GpuCloud.Generated ${lock.generatedVersion ?? '(none)'} but build/GeneratedVersion.props says ${version}; ` +
      `record the inputs for ${version} with: node build/spec-tool.mjs update-lock`);
  }
}

function updateLock(opts) {
  const version = currentVersion(opts.version);
  const lock = readLock();
  const { now, changed } = changedInputs(lock);
  if (lock.generatedVersion === version && changed.length > 0) {
    fail(changed[0], 'GCG001', `${changed.join(', ')} changed but the version was not bumped; ${bumpHelp(version)}`);
  }
  const next = { generatedVersion: version, algorithm: 'sha256 of the file with LF line endings', inputs: now };
  writeFileSync(lockPath, JSON.stringify(next, null, 2) + '\n');
  console.log(`specs/specs.lock.json now records ${Object.keys(now).length} inputs for GpuCloud.Generated ${version}.`);
}

// Values such as states are open sets in practice: a closed C# enum (NSwag's StringEnumConverter)
// throws on the first new value. So every `enum:` becomes the documentation-only `x-enum-values:`
// and the property is generated as a plain string; the facade maps strings, keeping unknown ones.
function prepareSpec(text) {
  return text.replace(/^(\s*)enum:/gm, '$1x-enum-values:');
}

function generate(opts) {
  for (const k of ['spec', 'class', 'namespace', 'exception', 'out', 'dotnet', 'nswag']) {
    if (!opts[k]) fail('build/spec-tool.mjs', 'GCG005', `generate needs --${k}.`);
  }
  const spec = resolve(root, opts.spec);
  const out = resolve(opts.out);
  const prepared = join(dirname(out), 'specs', basename(spec));
  mkdirSync(dirname(prepared), { recursive: true });
  writeFileSync(prepared, prepareSpec(readFileSync(spec, 'utf8')));

  const variables = [
    `Spec=${prepared}`, `ClassName=${opts.class}`, `Namespace=${opts.namespace}`,
    `ExceptionClass=${opts.exception}`, `Output=${out}`,
  ].join(',');
  const run = spawnSync(opts.dotnet, [opts.nswag, 'run', join(root, 'nswag.json'), `/variables:${variables}`],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
  if (run.error) fail(rel(spec), 'GCG002', `could not start NSwag (${run.error.message}).`);
  if (run.status !== 0 || !existsSync(out)) {
    // NSwag prints the exception type and message, then a stack trace; keep the message only.
    const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const message = lines.filter((l) => !l.startsWith('at ') && !/^(NSwag command line|NSwag bin directory|Visit http|Executing file|Duration:|---)/i.test(l))
      .slice(0, 4).join(' ').replace(/\s+/g, ' ');
    fail(rel(spec), 'GCG002', `NSwag could not generate ${opts.class} from this spec: ${message || `exit code ${run.status}`}`);
  }
  // NSwag leaves an unchanged output file alone; stamp it so MSBuild sees it as newer than the spec.
  const now = new Date();
  utimesSync(out, now, now);
  console.log(`NSwag: generated ${opts.class} from ${rel(spec)}`);
}

const [command, ...rest] = process.argv.slice(2);
const opts = args(rest);
if (command === 'check') check(opts);
else if (command === 'update-lock') updateLock(opts);
else if (command === 'generate') generate(opts);
else fail('build/spec-tool.mjs', 'GCG005', `unknown command '${command ?? ''}'; use check, update-lock or generate.`);
