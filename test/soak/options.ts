import { parseArgs } from 'node:util';
import { UsageError } from '../../bench/cli.js';

/** What a soak run is parameterised by; every duration in seconds, as the library's options. */
export type SoakOptions = Exclude<ReturnType<typeof parseSoakArgs>, 'help'>;
/** The knobs of the library under test, passed to `JwksModule.forRoot()` as they are. */
export type LibraryKnobs = SoakOptions['library'];

/** Each numeric flag: its default and what it sets. */
const NUMBERS = {
  seconds: [60, 'measured load, after the warm-up'],
  'phase-seconds': [4, 'length of each provider phase'],
  warmup: [10, 'load before the measured run, provider ok'],
  concurrency: [50, 'keep-alive connections, one request loop each'],
  'client-timeout': [10, 'a request unanswered after N s is counted unanswered'],
  'max-age': [2, 'Cache-Control max-age of metadata and JWKS'],
  timeout: [1, 'library: seconds per HTTP attempt'],
  retries: [1, 'library: retries per fetch'],
  cooldown: [1, 'library: seconds between refetches for unknown kids'],
  'min-cache-ttl': [1, 'library: minCacheTtl'],
  'cache-ttl': [2, 'library: cacheTtl'],
  'stale-ttl': [3600, 'library: staleTtl, which must outlast the run'],
} as const;
type NumberFlag = keyof typeof NUMBERS;

// Counts, not durations: a fraction would be silently truncated by the code that uses them.
const INTEGERS: readonly NumberFlag[] = ['concurrency', 'retries'];

export const USAGE = `npm run soak -- [flags]
${Object.entries(NUMBERS)
  .map(([flag, [value, text]]) => `  --${`${flag} N`.padEnd(18)} ${text} (${value})`)
  .join('\n')}
  --gc                 run the app with --expose-gc and a full collection every 50 ms
  --strict             latency, throughput, fetch and memory targets also set the exit code
  --verbose            the app's Nest log (warn and log levels too)
  --out FILE           results as JSON (soak-results.json)`;

/** Reads `argv` (without node and script); throws `UsageError` with the reason. */
export function parseSoakArgs(argv: readonly string[]) {
  const flags = Object.fromEntries(Object.keys(NUMBERS).map((name) => [name, { type: 'string' }]));
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      ...(flags as Record<NumberFlag, { type: 'string' }>),
      gc: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      out: { type: 'string', default: 'soak-results.json' },
    },
  });
  if (values.help) return 'help';
  const number = (name: NumberFlag) => readNumber(name, values[name]);
  const options = {
    /** Measured load after the warm-up. */
    seconds: number('seconds'),
    phaseSeconds: number('phase-seconds'),
    warmupSeconds: number('warmup'),
    concurrency: number('concurrency'),
    /** After this, a request is counted unanswered and its socket destroyed. */
    clientTimeout: number('client-timeout'),
    /** `Cache-Control: max-age` the provider sends on both documents. */
    maxAge: number('max-age'),
    gc: values.gc,
    strict: values.strict,
    verbose: values.verbose,
    out: values.out,
    library: {
      timeout: number('timeout'),
      retries: number('retries'),
      cooldown: number('cooldown'),
      minCacheTtl: number('min-cache-ttl'),
      cacheTtl: number('cache-ttl'),
      staleTtl: number('stale-ttl'),
    },
  };
  // The outcome rules assume a key once in memory keeps serving through every outage of the run
  // (stale-if-error); a shorter staleTtl would make a correct library look wrong.
  const runSeconds = options.warmupSeconds + options.seconds + options.clientTimeout;
  if (options.library.staleTtl <= runSeconds + 60) {
    throw new UsageError(`--stale-ttl must exceed the run (${runSeconds} s) by more than a minute`);
  }
  if (options.phaseSeconds > options.seconds) {
    throw new UsageError('--phase-seconds must not exceed --seconds');
  }
  return options;
}

function readNumber(name: NumberFlag, raw: string | undefined): number {
  if (raw === undefined) return NUMBERS[name][0];
  const value = Number(raw);
  const zeroAllowed = name === 'retries';
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new UsageError(`--${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number`);
  }
  if (INTEGERS.includes(name) && !Number.isInteger(value)) {
    throw new UsageError(`--${name} must be a whole number`);
  }
  return value;
}
