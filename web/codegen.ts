import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every operation the dashboard sends, from the server's
// generated schema: a schema change that breaks an operation or the code
// using its result fails `npm run build`.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['../contract/operations.graphql', 'src/graphql/web.graphql'],
  generates: {
    'src/graphql/generated.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        useTypeImports: true,
        scalars: {
          DateTime: 'string',
          Decimal: 'string',
          Month: 'string',
          JSON: 'unknown',
          Upload: 'File',
        },
      },
    },
  },
  silent: false,
  verbose: false,
};

export default config;
