// The folders of lib/, from the ground up (see the README's "Architecture"): a folder imports only
// from folders on a lower row, never from its own row or above. Only guards and decorators point
// at each other: the decorators set route metadata the guards read, and read what the guards keep
// on the request. `npm run lint` runs this; a new back-edge or cycle fails it.
const LAYERS = [
  ['errors', 'time'],
  ['jws', 'logging'],
  ['options'],
  ['http', 'events'],
  ['cache'],
  ['issuers', 'telemetry'],
  ['discovery'],
  ['keys'],
  ['binding'],
  ['verification', 'health'],
  ['passport', 'presets', 'testing'],
  ['guards', 'decorators'],
  // Read every route's rules and the module's options: above both.
  ['resource', 'openapi'],
];
const ALLOWED_PAIRS = [['guards', 'decorators']];

const rowOf = new Map(LAYERS.flatMap((row, index) => row.map((folder) => [folder, index])));
const allowed = (from, to) =>
  ALLOWED_PAIRS.some(([a, b]) => (a === from && b === to) || (a === to && b === from));

/** For each folder: every other folder of lib/ it may not import. */
const layerRules = [...rowOf].map(([folder, row]) => {
  const above = [...rowOf]
    .filter(([other, otherRow]) => other !== folder && otherRow >= row && !allowed(folder, other))
    .map(([other]) => other);
  return {
    name: `layer-${folder}`,
    comment: `lib/${folder} may import only folders on a lower row of .dependency-cruiser.mjs`,
    severity: 'error',
    from: { path: `^lib/${folder}/` },
    to: { path: `^lib/(${above.join('|')})/` },
  };
});

export default {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Under ESM a cycle between decorated classes throws at load time.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'folders-known',
      comment: 'Every folder of lib/ has a row in LAYERS: a new one is placed on purpose.',
      severity: 'error',
      from: { path: `^lib/(?!(${[...rowOf.keys()].join('|')})/)[^/]+/` },
      to: { path: '^lib/' },
    },
    {
      name: 'root-on-top',
      comment: 'jwks.module.ts and the entry points sit above every folder.',
      severity: 'error',
      from: { path: '^lib/[^/]+/' },
      to: { path: '^lib/[^/]+\\.ts$' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
