/**
 * A throw-away Dovecot IMAP server (Debian's dovecot-imapd) in a temporary directory on a
 * loopback port, for end-to-end tests and the e-mail bench. Runs as root with its own config
 * file (`dovecot -c FILE -F`); mail is stored in maildirs owned by `nobody`.
 * Fails loudly when dovecot is missing, unless KEFU_SKIP_DOVECOT=1 (then `dovecotSkipped`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

export const DOVECOT_BIN = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p));
export const dovecotSkipped = process.env.KEFU_SKIP_DOVECOT === '1';

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** imap://user:pass@127.0.0.1:port */
  url: string;
  stop(): Promise<void>;
}

function idOf(name: string, flag: '-u' | '-g'): number {
  const out = spawnSync('id', [flag, name], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim()) : 65534;
}

const waitForPort = async (port: number, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

export async function startDovecot(opts: { user?: string; password?: string } = {}): Promise<Dovecot> {
  if (!DOVECOT_BIN) {
    throw new Error('dovecot is not installed (apt-get install dovecot-imapd); set KEFU_SKIP_DOVECOT=1 to skip the IMAP tests');
  }
  const user = opts.user ?? 'support@example.test';
  const password = opts.password ?? 'secret-pass';
  const dir = mkdtempSync(join(tmpdir(), 'kefu-dovecot-'));
  // mkdtemp makes it 0700: the mail user (nobody) must be able to traverse it.
  chmodSync(dir, 0o755);
  const mailDir = join(dir, 'mail');
  mkdirSync(mailDir);
  const uid = idOf('nobody', '-u');
  const gid = idOf('nogroup', '-g');
  chownSync(mailDir, uid, gid);
  const port = await freePort();
  const config = `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mailDir}/%u
mail_uid = ${uid}
mail_gid = ${gid}
first_valid_uid = 0
default_internal_user = nobody
default_login_user = nobody
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mailDir}/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Processed {
    auto = create
  }
}
`;
  const file = join(dir, 'dovecot.conf');
  writeFileSync(file, config);
  const proc: ChildProcess = spawn(DOVECOT_BIN, ['-c', file, '-F'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      exited.then(() => { throw new Error(`dovecot exited: ${stderr.trim()}`); }),
    ]);
  } catch (error) {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1', port, user, password,
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
