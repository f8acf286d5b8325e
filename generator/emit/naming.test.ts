import { describe, expect, it } from 'vitest';
import {
  NameAllocator,
  camelCase,
  isIdentifier,
  pascalCase,
  propertyKey,
  safeIdentifier,
  schemaTypeName,
  splitWords,
  stringLiteral,
  typeName,
  valueName,
} from './naming.ts';

describe('splitWords', () => {
  it.each([
    ['task', ['task']],
    ['task-created', ['task', 'created']],
    ['task_created', ['task', 'created']],
    ['org.example.Order', ['org', 'example', 'Order']],
    ['List all pets', ['List', 'all', 'pets']],
    ['/tasks/{id}/history', ['tasks', 'id', 'history']],
    ['TaskCreated', ['Task', 'Created']],
    ['getHTTPResponse', ['get', 'HTTP', 'Response']],
    ['HTTPServer', ['HTTP', 'Server']],
    ['TaskDTO', ['Task', 'DTO']],
    ['v2Api', ['v', '2', 'Api']],
    ['__TypeId__', ['Type', 'Id']],
    ['content-type', ['content', 'type']],
    ["user's list", ['users', 'list']],
    ['$ref', ['ref']],
    ['Tâche créée', ['Tâche', 'créée']],
    ['注文作成', ['注文作成']],
    ['½ price', ['price']],
    ['', []],
    ['--', []],
  ])('%j → %j', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });
});

describe('pascalCase and camelCase', () => {
  it.each([
    ['task', 'Task', 'task'],
    ['task-created', 'TaskCreated', 'taskCreated'],
    ['ORDER_CREATED', 'OrderCreated', 'orderCreated'],
    ['ID', 'ID', 'id'],
    ['TaskDTO', 'TaskDTO', 'taskDTO'],
    ['HTTPServer', 'HTTPServer', 'httpServer'],
    ['iOS version', 'IOSVersion', 'iOSVersion'],
    ['api_v2', 'ApiV2', 'apiV2'],
    ['ce_id', 'CeId', 'ceId'],
    ['tâche créée', 'TâcheCréée', 'tâcheCréée'],
    ['2fa', '2Fa', '2Fa'],
    ['', '', ''],
  ])('%j → %j, %j', (text, pascal, camel) => {
    expect(pascalCase(text)).toBe(pascal);
    expect(camelCase(text)).toBe(camel);
  });
});

describe('safe identifiers', () => {
  it.each([
    ['Task', 'Task'],
    ['2fa', '_2fa'],
    ['', 'Fallback'],
    ['Date', 'Date_'],
    ['Object', 'Object_'],
    ['Promise', 'Promise_'],
    ['Record', 'Record_'],
    ['Response', 'Response_'],
    ['delete', 'delete_'],
    ['string', 'string_'],
    ['Dates', 'Dates'],
  ])('%j → %j', (name, safe) => {
    expect(safeIdentifier(name, 'Fallback')).toBe(safe);
  });

  it.each([
    ['task created', 'TaskCreated', 'taskCreated'],
    ['date', 'Date_', 'date'],
    ['function', 'Function_', 'function_'],
    ['class', 'Class', 'class_'],
    ['404 response', '_404Response', '_404Response'],
    ['!!!', 'Type', 'value'],
  ])('typeName and valueName of %j', (text, type, value) => {
    expect(typeName(text)).toBe(type);
    expect(valueName(text)).toBe(value);
  });

  it.each([
    ['Task', 'Task'],
    ['org.example.Order', 'Order'],
    ['java.lang.String', 'String_'],
    ['io.x.Outer.Inner', 'Inner'],
    ['tasks.create', 'TasksCreate'],
    ['test-topic-v1.json', 'TestTopicV1Json'],
    [
      'SpringKafkaDefaultHeaders-ExamplePayloadDto-546532105',
      'SpringKafkaDefaultHeadersExamplePayloadDto546532105',
    ],
    ['', 'Schema'],
  ])('schemaTypeName(%j) = %j', (name, type) => {
    expect(schemaTypeName(name)).toBe(type);
  });
});

describe('property keys and string literals', () => {
  it.each([
    ['id', 'id'],
    ['$ref', '$ref'],
    ['_x1', '_x1'],
    ['class', 'class'],
    ['naïve', 'naïve'],
    ['content-type', "'content-type'"],
    ['200', "'200'"],
    ['a b', "'a b'"],
    ['', "''"],
    ["it's", '"it\'s"'],
  ])('propertyKey(%j) = %s', (name, key) => {
    expect(isIdentifier(name)).toBe(key === name);
    expect(propertyKey(name)).toBe(key);
  });

  it.each([
    ['plain', "'plain'"],
    ["it's", `"it's"`],
    ['say "hi"', `'say "hi"'`],
    [`it's "x" "y"`, `'it\\'s "x" "y"'`],
    ['back\\slash', "'back\\\\slash'"],
    ['two\nlines\r\n', "'two\\nlines\\r\\n'"],
    ['tab\there', "'tab\\there'"],
    ['nul\u0000 del\u007f', "'nul\\u0000 del\\u007f'"],
    ['sep\u2028', "'sep\\u2028'"],
    ['lone \ud800', "'lone \\ud800'"],
    ['emoji 😀', "'emoji 😀'"],
  ])('stringLiteral(%j) = %s', (value, literal) => {
    expect(stringLiteral(value)).toBe(literal);
    // what TypeScript would read back
    expect(new Function(`return ${literal};`)()).toBe(value);
  });
});

describe('NameAllocator', () => {
  it('hands out a name once, then numbers from 2', () => {
    const names = new NameAllocator(['Reserved']);
    expect(
      ['OrderCreated', 'OrderCreated', 'Task', 'OrderCreated', 'Reserved', 'OrderCreated2'].map(
        (n) => names.allocate(n),
      ),
    ).toEqual([
      'OrderCreated',
      'OrderCreated2',
      'Task',
      'OrderCreated3',
      'Reserved2',
      'OrderCreated22',
    ]);
    expect(names.has('OrderCreated3')).toBe(true);
    expect(names.has('OrderCreated4')).toBe(false);
  });

  it('is deterministic: the same requests in the same order give the same names', () => {
    const requests = ['A', 'b', 'A', 'A2', 'A'];
    const run = (): string[] => {
      const names = new NameAllocator();
      return requests.map((r) => names.allocate(r));
    };
    expect(run()).toEqual(run());
    expect(run()).toEqual(['A', 'b', 'A2', 'A22', 'A3']);
  });
});
