/**
 * The types generated from issue 11's construct fixture (test/golden/types/fixtures/constructs/)
 * as a demanding TypeScript user relies on them, checked by `tsc -p .` (`expectTypeOf`, and
 * `@ts-expect-error` beside code that must not compile): unions narrow by their tag, read-only
 * properties are absent from what a request sends and write-only ones from what a response
 * gives, `null` only where the spec allows it, and every answer of the client typed from its
 * status codes (`2XX`, `default`) and media types.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ApiResult, RawBody } from 'specgate/client';
import type {
  ConstructsClient,
  CreatePetRequest,
  SendRecordsRequest,
  UploadPhotoRequest,
} from './client/constructs/client/index.ts';
import type {
  Address,
  Bike,
  Car,
  Expression,
  Maps,
  Order,
  OrderItem2,
  Owner,
  Pet,
  PetBase,
  PetBaseInput,
  PetInput,
  Problem,
  ProducerRecords,
  Scalars,
  Shape,
  TreeNode,
  Vehicle,
} from './types/constructs/types.ts';
import type { Account, AccountInput } from './types/nullable/types.ts';

describe('constructs: unions', () => {
  it('narrows a discriminated oneOf by its mapped tag', () => {
    function bark(pet: Pet): 'soft' | 'loud' | undefined {
      if (pet.petType === 'dog') return pet.bark;
      // @ts-expect-error only a dog barks
      return pet.bark;
    }
    expectTypeOf(bark).toBeFunction();
    expectTypeOf<Pet['petType']>().toEqualTypeOf<'cat' | 'dog' | 'lizard'>();
    // @ts-expect-error not a tag of the mapping
    const wrong: Pet['petType'] = 'Dog';
    expectTypeOf(wrong).toBeString();
  });

  it('narrows a union tagged by one-value enums and consts, with no discriminator keyword', () => {
    function area(shape: Shape): number {
      switch (shape.kind) {
        case 'circle':
          return Math.PI * shape.radius ** 2;
        case 'square':
          return shape.side ** 2;
        case 'polygon':
          expectTypeOf(shape.points).toEqualTypeOf<readonly (readonly [number, number])[]>();
          return 0;
      }
    }
    expectTypeOf(area).toBeFunction();
  });

  it('tags each branch of a discriminator without a mapping by its schema name', () => {
    expectTypeOf<Vehicle>().toEqualTypeOf<
      (Car & { readonly vehicleType: 'Car' }) | (Bike & { readonly vehicleType: 'Bike' })
    >();
    function seats(vehicle: Vehicle): number {
      return vehicle.vehicleType === 'Car' ? vehicle.seats : 1;
    }
    expectTypeOf(seats).toBeFunction();
  });
});

describe('constructs: request and response forms', () => {
  it('leaves read-only properties out of requests and write-only ones out of responses', () => {
    expectTypeOf<PetBase>().toHaveProperty('id').toEqualTypeOf<number>();
    expectTypeOf<PetBase>().not.toHaveProperty('secret');
    expectTypeOf<PetBaseInput>().not.toHaveProperty('id');
    expectTypeOf<PetBaseInput>().not.toHaveProperty('createdAt');
    expectTypeOf<PetBaseInput>().toHaveProperty('secret').toEqualTypeOf<string | undefined>();
    // The client sends the request form, and gets the response form back.
    expectTypeOf<CreatePetRequest>().toEqualTypeOf<{ readonly body: PetInput }>();
    const cat: PetInput = { petType: 'cat', name: 'Tom', indoor: true, secret: 's' };
    expectTypeOf(cat).toMatchTypeOf<PetInput>();
    // @ts-expect-error a response pet has its read-only id
    const answered: Pet = { petType: 'cat', name: 'Tom' };
    expectTypeOf(answered).toMatchTypeOf<Pet>();
  });

  it('does so through 3.0 nullable wrappers too', () => {
    expectTypeOf<Account>().toHaveProperty('createdBy');
    expectTypeOf<AccountInput>().not.toHaveProperty('createdBy');
    expectTypeOf<AccountInput>().not.toHaveProperty('id');
  });
});

describe('constructs: null, const, enum, maps, recursion, names', () => {
  it('types null only where the spec allows it', () => {
    expectTypeOf<Account['nickname']>().toEqualTypeOf<string | null>();
    expectTypeOf<Account['owner']>().toEqualTypeOf<Account['manager'] | null>();
    expectTypeOf<Account['status']>().toEqualTypeOf<'open' | 'closed' | null>();
    expectTypeOf<Owner['previous']>().toEqualTypeOf<Address | null | undefined>();
    expectTypeOf<Owner['home']>().toEqualTypeOf<Address | undefined>();
    expectTypeOf<Address['zip']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Scalars['nothing']>().toEqualTypeOf<null>();
    expectTypeOf<Scalars['count']>().toEqualTypeOf<number | null>();
  });

  it('types const and enum values as literals, date-times as strings', () => {
    expectTypeOf<Scalars['status']>().toEqualTypeOf<'active'>();
    expectTypeOf<Scalars['version']>().toEqualTypeOf<2 | undefined>();
    expectTypeOf<Scalars['level']>().toEqualTypeOf<1 | 2 | 'high' | true | null>();
    // `3` is not a string: the declared type wins over the stray enum value.
    expectTypeOf<Scalars['code']>().toEqualTypeOf<'A' | 'B'>();
    expectTypeOf<Scalars['when']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Scalars['anything']>().toEqualTypeOf<unknown>();
  });

  it('types additionalProperties as index signatures', () => {
    expectTypeOf<NonNullable<Maps['counts']>>().toEqualTypeOf<{
      readonly [key: string]: number;
    }>();
    expectTypeOf<NonNullable<Maps['mixed']>['size']>().toEqualTypeOf<number>();
    const closed: NonNullable<Maps['closed']> = { only: 'x' };
    // @ts-expect-error additionalProperties: false
    const open: NonNullable<Maps['closed']> = { only: 'x', other: 1 };
    expectTypeOf([closed, open]).toBeArray();
  });

  it('types recursive schemas', () => {
    const tree: TreeNode = { value: 'root', children: [{ value: 'leaf', parent: null }] };
    const sum: Expression = { terms: [{ value: 1 }, { terms: [{ value: 2 }] }] };
    expectTypeOf([tree, sum]).toBeArray();
    expectTypeOf<NonNullable<TreeNode['children']>[number]>().toEqualTypeOf<TreeNode>();
  });

  it('names schemas with dots, dashes and reserved words', () => {
    expectTypeOf<NonNullable<Order['item']>>().toEqualTypeOf<OrderItem2>();
    expectTypeOf<NonNullable<OrderItem2['class']>>().toEqualTypeOf<'economy' | 'business'>();
  });
});

describe('constructs: client answers', () => {
  it('types answers from 2XX, default and 4XX responses, and from other media types', () => {
    expectTypeOf<ReturnType<ConstructsClient['createPet']>>().resolves.toEqualTypeOf<
      ApiResult<Pet, Problem>
    >();
    expectTypeOf<ReturnType<ConstructsClient['listPets']>>().resolves.toEqualTypeOf<
      ApiResult<readonly Pet[], Problem>
    >();
    // 200 with a pet, or 204 with nothing.
    expectTypeOf<ReturnType<ConstructsClient['replacePet']>>().resolves.toEqualTypeOf<
      ApiResult<Pet | undefined, unknown>
    >();
    // text/plain: the runtime gives the body's text.
    expectTypeOf<ReturnType<ConstructsClient['uploadPhoto']>>().resolves.toEqualTypeOf<
      ApiResult<string, unknown>
    >();
    // application/vnd.kafka.json.v2+json is JSON.
    expectTypeOf<SendRecordsRequest>().toEqualTypeOf<{ readonly body: ProducerRecords }>();
  });

  it('takes a body that is not JSON as text or bytes', () => {
    expectTypeOf<UploadPhotoRequest>().toEqualTypeOf<{
      readonly body: RawBody;
      readonly params: { readonly petId: number };
    }>();
    const photo: UploadPhotoRequest = { params: { petId: 1 }, body: new Uint8Array([1, 2]) };
    // @ts-expect-error a JSON value is not a photo
    const json: UploadPhotoRequest = { params: { petId: 1 }, body: { png: true } };
    expectTypeOf([photo, json]).toBeArray();
  });
});
