import { labelsHash, xxhash64 } from './labels-hash';

describe('xxhash64', () => {
  // Published XXH64 (seed 0) values; the 39-byte input runs the 32-byte stripe loop.
  it.each([
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['abc', '44bc2cf5ad770999'],
    ['xxhash', '32dd38952c4bc720'],
    ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
  ])('%j -> %s', (text, hex) => {
    expect(xxhash64(Buffer.from(text)).toString(16).padStart(16, '0')).toBe(hex);
  });
});

describe('labelsHash', () => {
  it('hashes name 0xff value 0xff per label, as Prometheus', () => {
    const labels = [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a' }];
    expect(labelsHash(labels)).toBe(xxhash64(Buffer.from('__name__\xffup\xffjob\xffa\xff', 'latin1')));
  });

  it('tells apart label sets that concatenate alike', () => {
    expect(labelsHash([{ name: 'ab', value: 'c' }])).not.toBe(labelsHash([{ name: 'a', value: 'bc' }]));
  });
});
