/** The `specgate` command line: parses arguments and dispatches to a subcommand. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return 0;
  }
  process.stderr.write(`specgate: unknown command "${command}"\n\n${usage}`);
  return 2;
}

const usage = `specgate: OpenAPI + AsyncAPI in, a typed CQRS gateway on Kafka out.

Usage:
  specgate validate [--config specgate.yaml] [<openapi> <asyncapi>] [--format human|json|sarif|github] [--strict]
  specgate generate [--config specgate.yaml] [<openapi> <asyncapi>] [--out DIR] [--check]
  specgate help
`;
