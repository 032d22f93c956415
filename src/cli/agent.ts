/**
 * `kefu agent add --name NAME --role agent|supervisor|admin --password-stdin [--groups a,b] [--capacity N]`
 * The password is read from standard input (never from the command line, where `ps` shows it).
 */
import { parseArgs } from 'node:util';
import { Password, Role, Username, createAgent, findAgentByName } from '../agents/store.js';
import { openDb } from '../storage/db.js';
import { configFromEnv, EXIT_CONFIG } from './env.js';

const USAGE = 'usage: kefu agent add --name NAME --role agent|supervisor|admin --password-stdin [--groups a,b] [--capacity N]\n';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'add') {
    process.stderr.write(USAGE);
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: {
      name: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, groups: { type: 'string' }, capacity: { type: 'string' },
    } }));
  } catch (error) {
    process.stderr.write(`kefu agent: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const name = Username.safeParse(values.name ?? '');
  const role = Role.safeParse(values.role ?? '');
  const capacity = values.capacity === undefined ? 5 : Number(values.capacity);
  if (!name.success || !role.success || !values['password-stdin'] || !Number.isInteger(capacity) || capacity < 1 || capacity > 100) {
    const what = !name.success ? `--name: ${name.error.issues[0]?.message}` : !role.success ? '--role must be agent, supervisor or admin'
      : !values['password-stdin'] ? '--password-stdin is required' : '--capacity must be a whole number from 1 to 100';
    process.stderr.write(`kefu agent: ${what}\n${USAGE}`);
    return 2;
  }
  const password = Password.safeParse(await readStdin());
  if (!password.success) {
    process.stderr.write(`kefu agent: password ${password.error.issues[0]?.message}\n`);
    return 2;
  }
  const config = await configFromEnv();
  if (!config) return EXIT_CONFIG;
  const db = openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await db.migrate();
    if (await findAgentByName(db.kysely, name.data)) {
      process.stderr.write(`kefu agent: '${name.data}' exists already\n`);
      return 1;
    }
    const groups = (values.groups ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    const agent = await db.write((q) => createAgent(q, { username: name.data, role: role.data, password: password.data, groups, capacity }, Date.now()));
    process.stdout.write(`added ${agent.role} '${agent.username}' (${agent.id})\n`);
    return 0;
  } finally {
    await db.close();
  }
}
