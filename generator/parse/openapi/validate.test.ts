import { describe, expect, it } from 'vitest';
import { parseText } from './testing.ts';

/** Joins lines; the tests name lines by number, so each fixture is written one line per entry. */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** `code line:column pointer message` of each diagnostic. */
async function findings(text: string): Promise<string[]> {
  const { diagnostics } = await parseText(text);
  return diagnostics.map(
    (d) =>
      `${d.code} ${d.location?.line}:${d.location?.column} ${d.location?.pointer} ${d.message}`,
  );
}

describe('validateOpenApi', () => {
  it('reports every JSON Schema error of the document where it is written', async () => {
    expect(
      await findings(
        yaml(
          'openapi: 3.0.3', //                       1
          'info:',
          '  title: Broken',
          '  version: 1',
          'paths:', //                                5
          '  /a:',
          '    get:',
          '      operationId: a',
          '      colour: red',
          '      responses:', //                      10
          '        "200":',
          '          description: ok',
          '          content:',
          '            application/json:',
          '              schema:', //                 15
          '                type: object',
          '                properties:',
          '                  n: { type: number, minimum: "0" }',
        ),
      ),
    ).toEqual([
      'SG_OPENAPI_INVALID 4:3 /info/version must be string',
      'SG_OPENAPI_INVALID 9:7 /paths/~1a/get/colour must NOT have additional properties (colour is not expected to be here!)',
      'SG_OPENAPI_INVALID 18:38 /paths/~1a/get/responses/200/content/application~1json/schema/properties/n/minimum must be number',
    ]);
  });

  it('locates an error inside a schema that many operations share once, at the schema', async () => {
    const text = yaml(
      'openapi: 3.0.3', //                         1
      'info: { title: Shared, version: "1" }',
      'paths:',
      '  /a:',
      '    get:', //                                5
      '      responses:',
      '        "200": { $ref: "#/components/responses/Ok" }',
      '  /b:',
      '    get:',
      '      responses:', //                        10
      '        "200": { $ref: "#/components/responses/Ok" }',
      'components:',
      '  responses:',
      '    Ok:',
      '      description: ok', //                   15
      '      content:',
      '        application/json:',
      '          schema: { $ref: "#/components/schemas/Thing" }',
      '  schemas:',
      '    Thing:', //                              20
      '      type: object',
      '      maxProperties: -1',
    );
    expect(await findings(text)).toEqual([
      'SG_OPENAPI_INVALID 22:7 /components/schemas/Thing/maxProperties must be >= 0',
    ]);
  });

  it('locates its own checks: duplicate operation ids, path parameters', async () => {
    expect(
      await findings(
        yaml(
          'openapi: 3.0.3', //                       1
          'info: { title: Dupes, version: "1" }',
          'paths:',
          '  /a:',
          '    get:', //                              5
          '      operationId: same',
          '      responses: { "200": { description: ok } }',
          '  /b/{id}:',
          '    get:',
          '      operationId: same', //               10
          '      responses: { "200": { description: ok } }',
        ),
      ),
    ).toEqual([
      'SG_OPENAPI_INVALID 9:5 /paths/~1b~1{id}/get `/paths/b/{id}/get` is missing path parameter(s) for `{id}`.',
      'SG_OPENAPI_INVALID 10:7 /paths/~1b~1{id}/get/operationId The operationId `same` is duplicated and must be made unique.',
    ]);
  });

  it('reports a bad security scheme and the schema errors behind it', async () => {
    expect(
      await findings(
        yaml(
          'openapi: 3.0.3', //                       1
          'info: { title: S, version: 1 }',
          'paths: {}',
          'components:',
          '  securitySchemes:', //                  5
          '    token:',
          '      type: http',
        ),
      ),
    ).toEqual([
      'SG_OPENAPI_INVALID 2:19 /info/version must be string',
      'SG_OPENAPI_INVALID 6:5 /components/securitySchemes/token `/components/securitySchemes/token` (`type: http`) is missing required property `scheme`.',
    ]);
  });

  it('goes on past a local $ref to nothing', async () => {
    expect(
      await findings(
        yaml(
          'openapi: 3.0.3', //                       1
          'info: { title: R, version: "1" }',
          'paths:',
          '  /a:',
          '    get:', //                              5
          '      responses:',
          '        "200": { $ref: "#/components/responses/Missing" }',
          '  /b:',
          '    get:',
          '      colour: red', //                     10
          '      responses: { "200": { description: ok } }',
        ),
      ),
    ).toEqual([
      'SG_REF_UNRESOLVED 7:9 /paths/~1a/get/responses/200 "#/components/responses/Missing" points at nothing',
      'SG_OPENAPI_INVALID 10:7 /paths/~1b/get/colour must NOT have additional properties (colour is not expected to be here!)',
    ]);
  });

  it('never fetches a remote $ref, and answers quickly', async () => {
    const started = performance.now();
    const result = await findings(
      yaml(
        'openapi: 3.1.0',
        'info: { title: Remote, version: "1" }',
        'paths:',
        '  /a:',
        '    get:',
        '      responses:',
        '        "200":',
        '          description: ok',
        '          content:',
        '            application/json:',
        '              schema: { $ref: "https://schemas.example.invalid/pet.json#/Pet" }',
      ),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result).toEqual([
      expect.stringMatching(
        /^SG_REF_REMOTE 11:15 \/paths\/~1a\/get\/responses\/200\/content\/application~1json\/schema /,
      ),
    ]);
  });

  it('warns about 3.1 syntax in a 3.0 document even where no operation uses it', async () => {
    expect(
      await findings(
        yaml(
          'openapi: 3.0.3', //                       1
          'info: { title: Lax, version: "1" }',
          'paths: {}',
          'components:',
          '  parameters:', //                       5
          '    Limit:',
          '      name: limit',
          '      in: query',
          '      schema: { type: [integer, "null"], exclusiveMinimum: 0 }',
          '  schemas:', //                          10
          '    Count: { type: integer, exclusiveMaximum: 10 }',
        ),
      ),
    ).toEqual([
      'SG_OPENAPI_LAX 9:7 /components/parameters/Limit/schema "exclusiveMinimum: 0" is OpenAPI 3.1 syntax (3.0 wants a boolean beside "minimum"); read as 3.1',
      'SG_OPENAPI_LAX 9:7 /components/parameters/Limit/schema a type array is OpenAPI 3.1 syntax, read as such in a 3.0 document',
      'SG_OPENAPI_LAX 11:5 /components/schemas/Count "exclusiveMaximum: 10" is OpenAPI 3.1 syntax (3.0 wants a boolean beside "maximum"); read as 3.1',
    ]);
  });

  it('rejects 3.1 syntax in a 3.1 document only where 3.1 does', async () => {
    expect(
      await findings(
        yaml(
          'openapi: 3.1.0',
          'info: { title: Fine, version: "1" }',
          'components:',
          '  schemas:',
          '    Count: { type: [integer, "null"], exclusiveMaximum: 10 }',
        ),
      ),
    ).toEqual([]);
  });
});
