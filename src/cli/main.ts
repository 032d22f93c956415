/**
 * `kefu <command>`: one static table of commands, each loaded only when called so that
 * `kefu classify` does not pay for the HTTP server and `kefu start` not for the evaluator.
 */
type Command = { summary: string; load: () => Promise<{ run: (argv: string[]) => Promise<number> }> };

const commands = {
  start: { summary: 'start the gateway (HTTP, channels, workers)', load: () => import('./start.js') },
  migrate: { summary: 'apply database migrations and exit', load: () => import('./migrate.js') },
  classify: { summary: 'read {"id","channel","text"} JSON lines, write labels', load: () => import('./classify.js') },
  faq: { summary: 'faq ask --faq FILE: read {"id","text"} lines, write {"id","faq","score"}', load: () => import('./faq.js') },
  agent: { summary: 'agent add --name NAME --role agent|supervisor|admin --password-stdin', load: () => import('./agent.js') },
  eval: { summary: 'score understanding on ../shared/eval (or --dir DIR)', load: () => import('./eval.js') },
} satisfies Record<string, Command>;

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: kefu <command> [options]\n\ncommands:\n${rows.join('\n')}\n`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = (commands as Record<string, Command>)[name];
  if (!command) {
    process.stderr.write(`kefu: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}
