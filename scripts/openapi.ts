// npm run openapi: writes openapi.yaml from the server's own declarations (see src/openapi-file.ts).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generateOpenApiYaml, openApiFile } from '../src/openapi-file.js';

writeFileSync(openApiFile, await generateOpenApiYaml());
console.log(`Wrote ${relative(process.cwd(), openApiFile)}`);
