import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The knobs of the library under test, passed to `JwksModule.forRoot()` as they are (seconds). */
export interface LibraryKnobs {
  readonly timeout: number;
  readonly retries: number;
  readonly cooldown: number;
  readonly minCacheTtl: number;
  readonly cacheTtl: number;
  readonly staleTtl: number;
}

/** What a soak run is parameterised by; every duration in seconds, as the library's options. */
export interface SoakOptions {
  /** Measured load after the warm-up. */
  readonly seconds: number;
  readonly phaseSeconds: number;
  readonly warmupSeconds: number;
  readonly concurrency: number;
  /** After this, a request is counted unanswered and its socket destroyed. */
  readonly clientTimeout: number;
  /** `Cache-Control: max-age` the provider sends on both documents. */
  readonly maxAge: number;
  readonly gc: boolean;
  readonly strict: boolean;
  readonly verbose: boolean;
  readonly out: string;
  readonly library: LibraryKnobs;
}

export class UsageError extends Error {}

const NUMBERS = {
  seconds: 60,
  'phase-seconds': 4,
  warmup: 10,
  concurrency: 50,
  'client-timeout': 10,
  'max-age': 2,
  timeout: 1,
  retries: 1,
  cooldown: 1,
  'min-cache-ttl': 1,
  'cache-ttl': 2,
  'stale-ttl': 3600,
} as const;

type NumberFlag = keyof typeof NUMBERS;

// Counts, not durations: a fraction would be silently truncated by the code that uses them.
const INTEGERS: ReadonlySet<NumberFlag> = new Set(['concurrency', 'retries']);

export const USAGE = `npm run soak -- [flags]
  --seconds N          measured load, after the warm-up (${NUMBERS.seconds})
  --phase-seconds N    length of each provider phase (${NUMBERS['phase-seconds']})
  --warmup N           load before the measured run, provider ok (${NUMBERS.warmup})
  --concurrency N      keep-alive connections, one request loop each (${NUMBERS.concurrency})
  --client-timeout N   a request unanswered after N s is counted unanswered (${NUMBERS['client-timeout']})
  --max-age N          Cache-Control max-age of metadata and JWKS (${NUMBERS['max-age']})
  --timeout --retries --cooldown --min-cache-ttl --cache-ttl --stale-ttl
                       the library's options (1, 1, 1, 1, 2, 3600)
  --gc                 run the app with --expose-gc and a full collection every 50 ms
  --strict             latency, throughput, fetch and memory targets also set the exit code
  --verbose            the app's Nest log (warn and log levels too)
  --out FILE           results as JSON (soak-results.json)`;

const FLAGS: NonNullable<ParseArgsConfig['options']> = {
  ...Object.fromEntries(Object.keys(NUMBERS).map((name) => [name, { type: 'string' as const }])),
  gc: { type: 'boolean', default: false },
  strict: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
  out: { type: 'string', default: 'soak-results.json' },
};

/** Reads `argv` (without node and script); throws `UsageError` with the reason. */
export function parseSoakArgs(argv: readonly string[]): SoakOptions | 'help' {
  const { values } = parseArgs({ args: [...argv], strict: true, options: FLAGS });
  if (values.help === true) return 'help';
  const number = (name: NumberFlag) => readNumber(name, values[name]);
  const options: SoakOptions = {
    seconds: number('seconds'),
    phaseSeconds: number('phase-seconds'),
    warmupSeconds: number('warmup'),
    concurrency: number('concurrency'),
    clientTimeout: number('client-timeout'),
    maxAge: number('max-age'),
    gc: values.gc === true,
    strict: values.strict === true,
    verbose: values.verbose === true,
    out: String(values.out),
    library: {
      timeout: number('timeout'),
      retries: number('retries'),
      cooldown: number('cooldown'),
      minCacheTtl: number('min-cache-ttl'),
      cacheTtl: number('cache-ttl'),
      staleTtl: number('stale-ttl'),
    },
  };
  checkConsistent(options);
  return options;
}

function readNumber(name: NumberFlag, raw: unknown): number {
  if (raw === undefined) return NUMBERS[name];
  const value = Number(raw);
  const zeroAllowed = name === 'retries';
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new UsageError(`--${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number`);
  }
  if (INTEGERS.has(name) && !Number.isInteger(value)) {
    throw new UsageError(`--${name} must be a whole number`);
  }
  return value;
}

function checkConsistent(options: SoakOptions): void {
  // The outcome rules assume a key once in memory keeps serving through every outage of the run
  // (stale-if-error); a shorter staleTtl would make a correct library look wrong.
  const runSeconds = options.warmupSeconds + options.seconds + options.clientTimeout;
  if (options.library.staleTtl <= runSeconds + 60) {
    throw new UsageError(`--stale-ttl must exceed the run (${runSeconds} s) by more than a minute`);
  }
  if (options.phaseSeconds > options.seconds) {
    throw new UsageError('--phase-seconds must not exceed --seconds');
  }
}
