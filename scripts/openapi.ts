// npm run openapi: writes openapi.yaml from the server's own declarations (see src/openapi-file.ts).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generateOpenApiYaml, openApiFile } from '../src/openapi-file.js';

try {
  writeFileSync(openApiFile, await generateOpenApiYaml());
  console.log(`Wrote ${relative(process.cwd(), openApiFile)}`);
} catch (error) {
  // A declaration mistake (an undocumented method, two schemas under one name): one line, no stack.
  console.error(`openapi.yaml not written: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
